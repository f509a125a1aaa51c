/**
 * @cairndb/server — Chroma's REST API v2 over an embedded Cairn database, and the `cairn` CLI.
 *
 * @example
 * import { startServer } from "@cairndb/server";
 * const server = await startServer({ path: "./cairn_db", port: 0 });
 * // any chromadb client (or Cairn's HttpClient) can now talk to server.url
 * await server.close();
 */
export {
  ACCESS,
  type AccessRule,
  type AuthConfig,
  type AuthOptions,
  generateToken,
  hashToken,
  parseAuthConfig,
  type Principal,
  type Role,
  ROLES,
  type Scope,
  TOKEN_PREFIX,
  type TokenEntry,
  TokenStore,
} from "./auth";
export { type AppOptions, createApp, DEFAULT_MAX_BODY_BYTES, METRICS_PATH } from "./app";
export { checkCorsOrigins } from "./cors";
export { type ErrorBody, RequestError, toErrorResponse } from "./errors";
export {
  DEFAULT_MAX_CONCURRENT,
  DEFAULT_MAX_QUEUED,
  DEFAULT_REQUEST_TIMEOUT_MS,
  type LimiterStats,
  type LimitOptions,
  Readiness,
  type ReadinessState,
  RETRY_AFTER_SECONDS,
} from "./limits";
export { filterLogger, isLogLevel, LOG_LEVELS, type LogLevel } from "./logging";
export { createMetrics, LATENCY_BUCKETS, type MetricsOptions, type ServerMetrics } from "./metrics";
export { buildOpenApi } from "./openapi";
export {
  REQUEST_ID_HEADER,
  REQUEST_ID_PATTERN,
  type RequestLogFields,
  requestId,
} from "./request-log";
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
