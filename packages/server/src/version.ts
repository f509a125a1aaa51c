/** The version of @cairndb/server (kept in step with package.json by the release process). */
export const SERVER_VERSION = "0.1.0";
