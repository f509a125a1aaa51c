/**
 * @cairndb/server — Chroma's REST API v2 over an embedded Cairn database, and the `cairn` CLI.
 *
 * @example
 * import { startServer } from "@cairndb/server";
 * const server = await startServer({ path: "./cairn_db", port: 0 });
 * // any chromadb client (or Cairn's HttpClient) can now talk to server.url
 * await server.close();
 */
export { type AppOptions, createApp, DEFAULT_MAX_BODY_BYTES } from "./app";
export { checkCorsOrigins } from "./cors";
export { type ErrorBody, RequestError, toErrorResponse } from "./errors";
export {
  DEFAULT_MAX_CONCURRENT,
  DEFAULT_MAX_QUEUED,
  DEFAULT_REQUEST_TIMEOUT_MS,
  type LimitOptions,
  Readiness,
  type ReadinessState,
  RETRY_AFTER_SECONDS,
} from "./limits";
export { filterLogger, isLogLevel, LOG_LEVELS, type LogLevel } from "./logging";
export { buildOpenApi } from "./openapi";
export { ROUTES, type RouteDef } from "./routes";
export { MAX_BATCH_SIZE } from "./routes/system";
export type { Schema } from "./schema";
export {
  type DuplicateMode,
  isDuplicateMode,
  type RunningServer,
  type StartServerOptions,
  startServer,
} from "./server";
export { SERVER_VERSION } from "./version";
