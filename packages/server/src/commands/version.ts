/** `cairn version` / `cairn --version`. */
import { CAIRN_VERSION } from "@cairndb/core";
import { SERVER_VERSION } from "../version";

/** The version line: server, core, and the API it speaks. */
export const VERSION_TEXT = `cairn ${SERVER_VERSION} (@cairndb/core ${CAIRN_VERSION}, Chroma REST API v2)`;

/** Prints the server and core versions. */
export function versionCommand(out: NodeJS.WritableStream = process.stdout): number {
  out.write(`${VERSION_TEXT}\n`);
  return 0;
}
