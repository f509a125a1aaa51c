/**
 * The outermost middleware: gives every request an id (a sane incoming `X-Request-Id`, else a new UUID) echoed
 * in the `X-Request-Id` response header, records it in the metrics, and logs one line per request with
 * structured fields. Only the method, the path, the route template, the status, the duration and an error's
 * code and message are logged: never a header value (tokens), a query string or a body (document text).
 */
import { randomUUID } from "node:crypto";
import type { Logger } from "@cairndb/core";
import type { Context, MiddlewareHandler } from "hono";
import { toErrorResponse } from "./errors";
import type { ServerMetrics } from "./metrics";
import type { RouteMatcher } from "./route-match";

/** The request id header, read from the request and always set on the response. */
export const REQUEST_ID_HEADER = "x-request-id";

/** An incoming request id is kept when it matches this (up to 128 URL-safe characters); else a new one is made. */
export const REQUEST_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

const METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);

/** The structured fields of a request's log line (the `context` passed to the {@link Logger}). */
export interface RequestLogFields {
  req_id: string;
  method: string;
  /** The route template, e.g. `/api/v2/tenants/{tenant}/databases/{database}`, or `unmatched`. */
  route: string;
  /** The path as requested (without the query string). */
  path: string;
  status: number;
  duration_ms: number;
  tenant?: string;
  database?: string;
  /** The collection id or name in the path. */
  collection?: string;
  /** The error code of an error answer. */
  code?: string;
}

/** The keys of {@link RequestLogFields} (the pretty format shows them in the message instead). */
export const REQUEST_LOG_KEYS: readonly string[] = [
  "req_id",
  "method",
  "route",
  "path",
  "status",
  "duration_ms",
  "tenant",
  "database",
  "collection",
  "code",
];

/** The request id to use: the incoming one when it is sane, else a new UUID. */
export function requestIdOf(incoming: string | undefined | null): string {
  return incoming && REQUEST_ID_PATTERN.test(incoming) ? incoming : randomUUID();
}

/** Reads the request id the request middleware set (for other middleware and handlers). */
export function requestId(c: Context): string | undefined {
  return c.get("requestId" as never) as string | undefined;
}

function fieldsOf(c: Context, route: string, params: Record<string, string>, id: string, ms: number) {
  const fields: RequestLogFields = {
    req_id: id,
    method: c.req.method,
    route,
    path: c.req.path,
    status: c.res.status,
    duration_ms: Math.round(ms * 1000) / 1000,
  };
  const tenant = params.tenant ?? params.tenant_name;
  if (tenant !== undefined) fields.tenant = tenant;
  if (params.database !== undefined) fields.database = params.database;
  const collection = params.collection_id ?? params.collection_name;
  if (collection !== undefined) fields.collection = collection;
  return fields;
}

/**
 * One line per request. An error answer adds its code and message: info for 4xx, warn for the expected 5xx
 * (501 unsupported, 503 busy); only a server fault (500) is an error, with its stack.
 */
function logRequest(logger: Logger, c: Context, fields: RequestLogFields): void {
  const status = fields.status;
  const line = `${fields.method} ${fields.path} ${status} ${fields.duration_ms.toFixed(1)}ms`;
  const context = fields as unknown as Record<string, unknown>;
  if (!c.error) {
    if (status >= 500) logger.error(line, context);
    else logger.info(line, context);
    return;
  }
  const { body, internal } = toErrorResponse(c.error);
  context.code = body.code;
  if (internal) logger.error(`${line} ${body.code}: ${c.error.stack ?? c.error.message}`, context);
  else if (status >= 500) logger.warn(`${line} ${body.code}: ${body.message}`, context);
  else logger.info(`${line} ${body.code}: ${body.message}`, context);
}

/**
 * The request id, metrics and log middleware; register it first so it sees every answer, errors included.
 * @example app.use("*", requestMiddleware(logger, createRouteMatcher(paths), metrics));
 */
export function requestMiddleware(
  logger: Logger,
  matcher: RouteMatcher,
  metrics?: ServerMetrics,
): MiddlewareHandler {
  return async (c, next) => {
    const started = performance.now();
    const id = requestIdOf(c.req.header(REQUEST_ID_HEADER));
    c.set("requestId" as never, id as never);
    const method = METHODS.has(c.req.method) ? c.req.method : "OTHER";
    const done = metrics?.start(method);
    try {
      await next();
    } finally {
      const { route, params } = matcher.match(c.req.path);
      try {
        c.res.headers.set(REQUEST_ID_HEADER, id);
      } catch {
        // an immutable response (none of the app's own): it goes out without the header
      }
      done?.(route, c.res.status);
      const tenant = params.tenant ?? params.tenant_name;
      if (tenant !== undefined && c.res.status < 400) metrics?.noteTenant(tenant);
      logRequest(logger, c, fieldsOf(c, route, params, id, performance.now() - started));
    }
  };
}
