/**
 * `startServer`: opens one PersistentClient, serves the app on loopback (by default) and shuts down gracefully:
 * stop accepting, let in-flight requests finish, then close the client (which writes due index snapshots).
 */
import type { Server } from "node:http";
import { createAdaptorServer } from "@hono/node-server";
import {
  type EmbeddingFunctionClass,
  EmbeddingError,
  invalidArgument,
  type Logger,
  PersistentClient,
  rejectUnknownKeys,
} from "@cairndb/core";
import { createApp, DEFAULT_MAX_BODY_BYTES } from "./app";
import { readAuthFile, TokenStore, watchAuthFile } from "./auth";
import { checkCorsOrigins } from "./cors";
import { Readiness, resolveLimits } from "./limits";
import { filterLogger, isLogLevel, type LogLevel } from "./logging";
import { type DuplicateMode, isDuplicateMode } from "./routes/types";

export { type DuplicateMode, isDuplicateMode } from "./routes/types";

/**
 * Options of {@link startServer}.
 * @example await startServer({ path: "./cairn_db", port: 0, allowReset: true, logger: myLogger, logLevel: "warn" })
 */
export interface StartServerOptions {
  /** The database folder (created if missing). */
  path: string;
  /** Interface to listen on (default `127.0.0.1`). */
  host?: string;
  /** Port (default 8000; 0 = any free port, see `port` of the result). */
  port?: number;
  /** Allow `POST /api/v2/reset` (default false). */
  allowReset?: boolean;
  /** Request body limit in bytes (default 32 MiB). */
  maxBodyBytes?: number;
  /** Minimum level forwarded to `logger` (default `info`: one line per request). */
  logLevel?: LogLevel;
  /** Where logs go (default: nowhere; the `cairn` CLI passes a stderr logger). */
  logger?: Logger;
  /** How long `close()` waits for in-flight requests before dropping connections (default 10 000 ms). */
  shutdownTimeoutMs?: number;
  /**
   * What `add` does with ids that already exist when the request does not say: `"error"` (default) answers
   * 409 `DUPLICATE_ID` and writes nothing; `"ignore"` skips them silently, as Chroma does — for integrations
   * built on the official client that rely on it. The CLI flag is `cairn run --on-duplicate ignore|error`.
   */
  onDuplicate?: DuplicateMode;
  /**
   * The auth file (YAML or JSON, see `cairn tokens create`): every route but the public ones then needs a token
   * with the right role and scope. Reloaded when the file changes, or with `reloadAuth()`. Without it the
   * server is open. The CLI flag is `cairn run --auth FILE` (or `CAIRN_AUTH_FILE`).
   */
  authFile?: string;
  /** Operation ids answered without a token even with `authFile` (besides heartbeat, version, healthcheck, pre-flight checks and the OpenAPI document). */
  publicRoutes?: string[];
  /** Serve `GET /metrics` in Prometheus text format (default true; CLI `--no-metrics`). */
  metrics?: boolean;
  /**
   * Label the per-collection gauges of `/metrics` by tenant, database and collection (default true); false
   * exports unlabelled totals (CLI `--metrics-collection-labels off`).
   */
  metricsCollectionLabels?: boolean;
  /** Requests worked on at once (default 64); beyond it and the queue: 429 `OVERLOADED` with `Retry-After`. */
  maxConcurrent?: number;
  /** Requests that may wait for a slot (default 64; 0 = none). */
  maxQueued?: number;
  /**
   * Deadline in ms for a request to start (waiting in the queue, reading its body; default 30 000; 0 = none):
   * past it, 504 `TIMEOUT` and nothing is done. A request already running in the engine is not interrupted.
   */
  requestTimeoutMs?: number;
  /** Origins allowed to call the server from a browser (default none: CORS off); `["*"]` = any origin. */
  corsOrigins?: string[];
}

/** A running server. */
export interface RunningServer {
  /** Base URL, e.g. `http://127.0.0.1:8000`. */
  url: string;
  /** The port actually bound (useful with `port: 0`). */
  port: number;
  /** Stops accepting, waits for in-flight requests, closes the database. Idempotent. */
  close(): Promise<void>;
  /**
   * Re-reads the auth file now (it is also reloaded when it changes). A bad file keeps the current tokens and
   * throws `INVALID_ARGUMENT` naming the problem. A no-op without `authFile`.
   */
  reloadAuth(): void;
}

/** The server never embeds (clients do): every embedding function name rebuilds to "none". */
const NoServerEmbedding: EmbeddingFunctionClass = {
  buildFromConfig(): never {
    throw new EmbeddingError(
      "EMBEDDING_FUNCTION_MISSING",
      "the server does not embed; clients send embeddings",
    );
  },
};
const SERVER_EMBEDDING_FUNCTIONS: Record<string, EmbeddingFunctionClass> = {
  default: NoServerEmbedding,
  openai: NoServerEmbedding,
  hash: NoServerEmbedding,
};

const KEYS = [
  "path",
  "host",
  "port",
  "allowReset",
  "onDuplicate",
  "maxBodyBytes",
  "logLevel",
  "logger",
  "shutdownTimeoutMs",
  "authFile",
  "publicRoutes",
  "metrics",
  "metricsCollectionLabels",
  "maxConcurrent",
  "maxQueued",
  "requestTimeoutMs",
  "corsOrigins",
];

function checkOptions(
  options: StartServerOptions,
): Required<Omit<StartServerOptions, "logger" | "authFile">> & { logger?: Logger; authFile?: string } {
  if (options === null || typeof options !== "object")
    throw invalidArgument("startServer", "expected an options object");
  rejectUnknownKeys(options, KEYS, "startServer");
  const {
    path,
    host = "127.0.0.1",
    port = 8000,
    maxBodyBytes = DEFAULT_MAX_BODY_BYTES,
    logLevel = "info",
  } = options;
  if (typeof path !== "string" || path.length === 0)
    throw invalidArgument("path", "expected the database folder");
  if (typeof host !== "string" || host.length === 0)
    throw invalidArgument("host", "expected an interface name or address");
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw invalidArgument("port", `expected an integer 0-65535, got ${port}`);
  if (!Number.isInteger(maxBodyBytes) || maxBodyBytes < 1)
    throw invalidArgument("maxBodyBytes", "expected a positive integer");
  if (!isLogLevel(logLevel))
    throw invalidArgument(
      "logLevel",
      `expected debug, info, warn, error or silent, got ${JSON.stringify(logLevel)}`,
    );
  const shutdownTimeoutMs = options.shutdownTimeoutMs ?? 10_000;
  if (!Number.isInteger(shutdownTimeoutMs) || shutdownTimeoutMs < 0)
    throw invalidArgument("shutdownTimeoutMs", "expected a non-negative integer");
  const onDuplicate = options.onDuplicate ?? "error";
  if (!isDuplicateMode(onDuplicate))
    throw invalidArgument("onDuplicate", `expected "ignore" or "error", got ${JSON.stringify(onDuplicate)}`);
  if (
    options.authFile !== undefined &&
    (typeof options.authFile !== "string" || options.authFile.length === 0)
  )
    throw invalidArgument("authFile", "expected the path of an auth file");
  const publicRoutes = options.publicRoutes ?? [];
  if (!Array.isArray(publicRoutes) || publicRoutes.some((r) => typeof r !== "string"))
    throw invalidArgument("publicRoutes", "expected a list of operation ids");
  for (const key of ["metrics", "metricsCollectionLabels"] as const)
    if (options[key] !== undefined && typeof options[key] !== "boolean")
      throw invalidArgument(key, `expected true or false, got ${JSON.stringify(options[key])}`);
  return {
    authFile: options.authFile,
    publicRoutes,
    path,
    host,
    port,
    maxBodyBytes,
    logLevel,
    allowReset: options.allowReset === true,
    onDuplicate,
    logger: options.logger,
    shutdownTimeoutMs,
    metrics: options.metrics !== false,
    metricsCollectionLabels: options.metricsCollectionLabels !== false,
    ...resolveLimits(options),
    corsOrigins: checkCorsOrigins(options.corsOrigins ?? []),
  };
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      const address = server.address();
      resolve(typeof address === "object" && address ? address.port : port);
    });
  });
}

/**
 * Starts a Cairn server: Chroma's REST API v2 over the database at `path`. The returned `close()` stops
 * accepting connections, lets in-flight requests finish, then closes the database.
 * @example
 * const server = await startServer({ path: "./cairn_db", port: 0 });
 * console.log(server.url); // http://127.0.0.1:<port>
 * await server.close();
 */
export async function startServer(options: StartServerOptions): Promise<RunningServer> {
  const opts = checkOptions(options);
  const logger = filterLogger(opts.logger, opts.logLevel);
  // Read before the database opens, so a bad auth file fails the start with its problem.
  const store = opts.authFile === undefined ? undefined : new TokenStore(readAuthFile(opts.authFile));
  const client = new PersistentClient({
    path: opts.path,
    allowReset: opts.allowReset,
    logger,
    embeddingFunctions: SERVER_EMBEDDING_FUNCTIONS,
  });
  const readiness = new Readiness("ready"); // the database opened above, before the port is bound
  const app = createApp(client, {
    allowReset: opts.allowReset,
    onDuplicate: opts.onDuplicate,
    maxBodyBytes: opts.maxBodyBytes,
    logger,
    logLevel: opts.logLevel,
    ...(store && { auth: { store, publicRoutes: opts.publicRoutes } }),
    metrics: opts.metrics,
    metricsCollectionLabels: opts.metricsCollectionLabels,
    databasePath: opts.path,
    limits: {
      maxConcurrent: opts.maxConcurrent,
      maxQueued: opts.maxQueued,
      requestTimeoutMs: opts.requestTimeoutMs,
    },
    corsOrigins: opts.corsOrigins,
    readiness,
  });
  const authWatch = store && opts.authFile ? watchAuthFile(opts.authFile, store, logger) : undefined;
  // @hono/node-server's default (it swaps in its lighter global Request/Response); `false` breaks re-wrapping
  // bodies (`new Request(req, { body })`, as the body-limit middleware does) for DELETE requests.
  const server = createAdaptorServer({ fetch: app.fetch }) as Server;
  let closing: Promise<void> | undefined;
  server.on("request", (_req, res) => {
    // A keep-alive connection that finishes its last response during shutdown is closed right away.
    res.on("close", () => closing && setImmediate(() => server.closeIdleConnections()));
  });
  let port: number;
  try {
    port = await listen(server, opts.port, opts.host);
  } catch (error) {
    authWatch?.close();
    await client.close();
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw invalidArgument("port", `cannot listen on ${opts.host}:${opts.port} (${code})`, { cause: code });
  }
  const host = opts.host.includes(":") ? `[${opts.host}]` : opts.host;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      authWatch?.close();
      readiness.set("closing"); // in-flight and keep-alive requests still finish; the healthcheck answers 503
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const force = setTimeout(() => server.closeAllConnections(), opts.shutdownTimeoutMs);
      await stopped;
      clearTimeout(force);
      await client.close();
    })();
    return closing;
  };
  return { url: `http://${host}:${port}`, port, close, reloadAuth: () => authWatch?.reload() };
}
