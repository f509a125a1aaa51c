/**
 * CORS: off by default (browsers on other origins cannot call the server). Given origins, `hono/cors` answers
 * preflights and adds the `Access-Control-*` headers for those origins only (`*` allows any origin).
 */
import { invalidArgument } from "@cairndb/core";
import type { MiddlewareHandler } from "hono";
import { cors } from "hono/cors";

/** Headers browsers may send: JSON, the official client's auth headers, and Cairn's. */
const ALLOWED_HEADERS = ["Content-Type", "Authorization", "X-Chroma-Token", "X-Request-Id"];
/** Response headers a browser script may read. */
const EXPOSED_HEADERS = ["Retry-After", "X-Request-Id"];

/**
 * Checks configured origins: each `*` or an origin such as `https://app.example.com` (scheme, host, optional
 * port; no path).
 * @throws InvalidArgumentError code `INVALID_ARGUMENT` naming the bad origin
 */
export function checkCorsOrigins(origins: unknown): string[] {
  if (!Array.isArray(origins))
    throw invalidArgument("corsOrigins", 'expected an array of origins, e.g. ["https://app.example.com"]');
  return origins.map((origin, i) => {
    if (origin === "*") return origin;
    if (typeof origin !== "string" || !/^https?:\/\/[^/\s?#]+$/.test(origin))
      throw invalidArgument(
        `corsOrigins[${i}]`,
        `expected "*" or an origin like "https://app.example.com" (scheme and host, no path), got ${JSON.stringify(origin)}`,
      );
    return origin;
  });
}

/**
 * The CORS middleware for the given origins, or undefined when there are none (CORS off).
 * @example const mw = corsMiddleware(["http://localhost:5173"]); if (mw) app.use("*", mw);
 */
export function corsMiddleware(origins: readonly string[] | undefined): MiddlewareHandler | undefined {
  if (!origins || origins.length === 0) return undefined;
  const list = checkCorsOrigins([...origins]);
  return cors({
    origin: list.includes("*") ? "*" : list,
    allowMethods: ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"],
    allowHeaders: ALLOWED_HEADERS,
    exposeHeaders: EXPOSED_HEADERS,
    maxAge: 600,
  });
}
