/** `cairn version`. */
import { CAIRN_VERSION } from "@cairndb/core";
import { SERVER_VERSION } from "../version";

/** Prints the server and core versions. */
export function versionCommand(out: NodeJS.WritableStream = process.stdout): number {
  out.write(`cairn ${SERVER_VERSION} (@cairndb/core ${CAIRN_VERSION}, Chroma REST API v2)\n`);
  return 0;
}
