/** The version of @cairndb/core (kept in step with package.json by the release process). */
export const CAIRN_VERSION = "0.1.0";
