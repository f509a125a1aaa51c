/**
 * The Hono app: the route table registered with request-shape checks, Chroma's error bodies, 404 with an empty
 * body for unknown routes, 405 for a wrong method, 410 for the v1 API, 413 above the body limit, `GET /metrics`
 * (Prometheus), and one log line per request with a request id echoed in `X-Request-Id`.
 */
import { type CairnClient, invalidArgument, type Logger } from "@cairndb/core";
import { type Context, Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { type AuthOptions, authGuard, SEES_DATABASE } from "./auth";
import { corsMiddleware } from "./cors";
import { chromaKind, RequestError, toErrorResponse } from "./errors";
import { assertBeforeDeadline, createLimiter, type LimitOptions, type Readiness } from "./limits";
import { filterLogger, type LogLevel } from "./logging";
import { createMetrics, type ServerMetrics } from "./metrics";
import { resolveComponent } from "./payloads";
import { requestMiddleware } from "./request-log";
import { createRouteMatcher } from "./route-match";
import { ROUTES, type RouteDef, type RouteEnv, type RouteInput } from "./routes";
import { type DuplicateMode, isDuplicateMode } from "./routes/types";
import { validate } from "./schema";

/** Default request body limit: 32 MiB. */
export const DEFAULT_MAX_BODY_BYTES = 32 * 1024 * 1024;

/**
 * Options of {@link createApp}.
 * @example createApp(client, { allowReset: true, maxBodyBytes: 8 * 1024 * 1024, logger: console, logLevel: "warn" })
 */
export interface AppOptions {
  /** Allow `POST /api/v2/reset` (default false: 403 `RESET_DISABLED`). The client must allow it too. */
  allowReset?: boolean;
  /**
   * What `add` does with ids that already exist when the request does not say: `"error"` (default) answers
   * 409 `DUPLICATE_ID` and writes nothing; `"ignore"` skips them silently and writes the new ids, as Chroma
   * does (for integrations built on the official client, e.g. `@llamaindex/chroma`). Cairn's HttpClient
   * always says, so its `add` behaves as embedded whatever this is.
   */
  onDuplicate?: DuplicateMode;
  /** Larger request bodies get 413 `PAYLOAD_TOO_LARGE` (default 32 MiB). */
  maxBodyBytes?: number;
  /** Where request lines and errors go (default: nowhere). */
  logger?: Logger;
  /** Minimum level forwarded to `logger` (default `info`: one line per request). */
  logLevel?: LogLevel;
  /**
   * Token authentication and per-route roles (see `ACCESS`). Without it the server is open: every request is
   * allowed, as with Chroma without auth.
   */
  auth?: AuthOptions;
  /** Serve `GET /metrics` in Prometheus text format (default true). */
  metrics?: boolean;
  /**
   * Label the per-collection gauges of `/metrics` by tenant, database and collection (default true); false
   * exports unlabelled totals instead, to bound label cardinality on servers with many collections.
   */
  metricsCollectionLabels?: boolean;
  /** The database folder, for the `cairn_wal_bytes` gauge (set by {@link startServer}; omitted: no gauge). */
  databasePath?: string;
  /**
   * Concurrency limit, queue and per-request timeout (defaults 64 / 64 / 30 000 ms): beyond them 429
   * `OVERLOADED` with `Retry-After`, or 504 `TIMEOUT` for a request that could not start in time.
   */
  limits?: LimitOptions;
  /** Origins allowed to call the server from a browser (default none: CORS off). `["*"]` allows any. */
  corsOrigins?: string[];
  /** What `/api/v2/healthcheck` reports (default: always ready). */
  readiness?: Readiness;
}

/** The path of the Prometheus endpoint. */
export const METRICS_PATH = "/metrics";

const toHonoPath = (path: string) => path.replace(/\{(\w+)\}/g, ":$1");

async function readBody(c: Context, route: RouteDef): Promise<unknown> {
  const text = await c.req.text();
  let body: unknown;
  try {
    if (text.trim().length === 0) throw new Error("EOF while parsing a value (empty body)");
    body = JSON.parse(text);
  } catch (error) {
    throw new RequestError(
      400,
      "INVALID_ARGUMENT",
      `Failed to parse the request body as JSON: ${(error as Error).message}`,
    );
  }
  const problem = validate(route.body!, body, resolveComponent);
  if (problem) {
    const code = problem.message.startsWith("unknown field") ? "UNKNOWN_OPTION" : "INVALID_ARGUMENT";
    throw new RequestError(
      422,
      code,
      `Failed to deserialize the JSON body into the target type: ${problem.path}: ${problem.message}`,
    );
  }
  return body;
}

function readQuery(c: Context, route: RouteDef): Record<string, number | undefined> {
  const out: Record<string, number | undefined> = {};
  for (const name of Object.keys(route.query ?? {})) {
    const raw = c.req.query(name);
    if (raw === undefined) continue;
    if (!/^\d{1,10}$/.test(raw) || Number(raw) > 4_294_967_295) {
      throw new RequestError(
        400,
        "INVALID_ARGUMENT",
        `Failed to deserialize query string: ${name}: expected a non-negative integer, got ${JSON.stringify(raw)}`,
      );
    }
    out[name] = Number(raw);
  }
  return out;
}

/**
 * Reads and drops the rest of an oversized body (up to `cap` bytes) so the client can finish sending and read
 * the 413; returns false when it gave up (the connection is then closed).
 */
async function discardBody(c: Context, cap: number): Promise<boolean> {
  try {
    const reader = c.req.raw.body?.getReader();
    if (!reader) return true;
    for (let read = 0; ; ) {
      const { done, value } = await reader.read();
      if (done) return true;
      read += value.byteLength;
      if (read > cap) {
        await reader.cancel();
        return false;
      }
    }
  } catch {
    return false; // already being read (a chunked body the limit check consumed part of)
  }
}

function tooLarge(maxSize: number) {
  return async (c: Context) => {
    if (!(await discardBody(c, Math.max(4 * maxSize, 64 * 1024 * 1024)))) c.header("connection", "close");
    const message = `Request body exceeds the server's limit of ${maxSize} bytes; send smaller batches or raise the limit (maxBodyBytes / --max-body-mb).`;
    return c.json({ error: chromaKind(413), message, code: "PAYLOAD_TOO_LARGE" }, 413);
  };
}

function handlerOf(route: RouteDef, env: RouteEnv) {
  return async (c: Context) => {
    const query = readQuery(c, route);
    const body = route.body ? await readBody(c, route) : undefined;
    assertBeforeDeadline(c);
    const seesDatabase = c.get(SEES_DATABASE) as RouteInput["seesDatabase"];
    const params = c.req.param() as Record<string, string>;
    const reply = await route.handle({ params, query, body, seesDatabase }, env);
    if (reply.response) return reply.response;
    return c.json(reply.body as object, (reply.status ?? route.ok.status) as ContentfulStatusCode);
  };
}

function registerRoutes(app: Hono, env: RouteEnv, auth: AuthOptions | undefined): void {
  const methods = new Map<string, string[]>();
  for (const route of ROUTES) {
    const path = toHonoPath(route.path);
    if (auth)
      app.on(route.method.toUpperCase(), path, authGuard(route, auth, env.client), handlerOf(route, env));
    else app.on(route.method.toUpperCase(), path, handlerOf(route, env));
    methods.set(route.path, [...(methods.get(route.path) ?? []), route.method.toUpperCase()]);
  }
  // Registered after the operations: reached only when no operation of that path matched the method.
  for (const [path, allowed] of methods) {
    const allow = allowed.includes("GET") ? [...allowed, "HEAD"] : allowed;
    app.all(toHonoPath(path), (c) => {
      throw new RequestError(
        405,
        "INVALID_ARGUMENT",
        `Method ${c.req.method} is not allowed on ${path}; allowed: ${allow.join(", ")}`,
        {
          allow: allow.join(","),
        },
      );
    });
  }
  app.all("/api/v1/*", (c) =>
    c.json(
      {
        error: "Unimplemented",
        message: "The v1 API is deprecated. Please use /v2 apis",
        code: "UNSUPPORTED",
      },
      410,
    ),
  );
}

/**
 * Builds the HTTP app over one client. Serve it with `@hono/node-server`, or use {@link startServer}, which
 * also opens the database and shuts down gracefully.
 * @example
 * const app = createApp(new PersistentClient({ path: "./cairn_db" }));
 * const res = await app.request("/api/v2/heartbeat");
 */
export function createApp(client: CairnClient, options: AppOptions = {}): Hono {
  const logger = filterLogger(options.logger, options.logLevel ?? "info");
  const maxSize = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const app = new Hono();
  const limiter = createLimiter(options.limits);
  const metrics: ServerMetrics | undefined =
    options.metrics === false
      ? undefined
      : createMetrics(client, {
          collectionLabels: options.metricsCollectionLabels !== false,
          databasePath: options.databasePath,
          limiter: limiter.stats,
        });
  const matcher = createRouteMatcher(ROUTES.map((route) => route.path));
  app.use("*", requestMiddleware(logger, matcher, metrics));
  const cors = corsMiddleware(options.corsOrigins);
  if (cors) app.use("*", cors);
  app.use("*", limiter.middleware);
  app.use("*", bodyLimit({ maxSize, onError: tooLarge(maxSize) }));
  const onDuplicate = options.onDuplicate ?? "error";
  if (!isDuplicateMode(onDuplicate))
    throw invalidArgument("onDuplicate", `expected "error" or "ignore", got ${JSON.stringify(onDuplicate)}`);
  const readiness = options.readiness;
  registerRoutes(
    app,
    {
      client,
      allowReset: options.allowReset === true,
      onDuplicate,
      metrics,
      ...(readiness ? { isReady: () => readiness.isReady() } : {}),
    },
    options.auth,
  );
  // Chroma answers unknown routes with 404 and an empty body (no content type).
  app.notFound(() => new Response(null, { status: 404 }));
  app.onError((error, c) => {
    const { status, body, headers } = toErrorResponse(error);
    for (const [name, value] of Object.entries(headers)) c.header(name, value);
    return c.json(body, status as ContentfulStatusCode);
  });
  return app;
}
