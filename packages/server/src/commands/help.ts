/** `cairn --help`. */
import { DEFAULT_MAX_BODY_BYTES } from "../app";

/** The usage text. */
export const USAGE = `cairn — Cairn vector database server (Chroma REST API v2)

Usage:
  cairn run [options]             Serve the database at --path over HTTP
  cairn models pull [options]     Download the default embedding model for offline use
  cairn vacuum --path <dir>       Compact the database and rebuild bloated indexes
  cairn version                   Print the versions
  cairn --help                    Print this help

cairn run options:
  --path <dir>          Database folder (default ./cairn_db; created if missing)
  --host <address>      Interface to listen on (default 127.0.0.1)
  --port <n>            Port (default 8000; 0 = any free port)
  --allow-reset         Allow POST /api/v2/reset (deletes everything)
  --on-duplicate <mode> add with an existing id: error (default, 409 DUPLICATE_ID) | ignore (as Chroma)
  --log-level <level>   debug | info | warn | error | silent (default info: one line per request)
  --max-body-mb <n>     Request body limit in MiB (default ${DEFAULT_MAX_BODY_BYTES / 1024 / 1024})

cairn models pull options:
  --dir <dir>           Download into this folder (default: the model cache, $CAIRN_CACHE_DIR)
  --dtype <fp32|q8>     Model weights (default fp32, the same vectors as Chroma's default)
  --model <id>          Hub model id (default Xenova/all-MiniLM-L6-v2)

cairn vacuum options:
  --path <dir>          Database folder (default ./cairn_db). Safe while other processes use it.

Point any chromadb client (or Cairn's HttpClient) at http://<host>:<port>.
`;

/** Prints the usage. */
export function helpCommand(out: NodeJS.WritableStream = process.stdout): number {
  out.write(USAGE);
  return 0;
}
