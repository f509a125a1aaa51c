/** The remote client: the same Client/Collection API over HTTP, against `cairn run` or a Chroma server. */
import { expectOptionsObject, rejectUnknownKeys } from "../config";
import { invalidArgument } from "../errors";
import { type FetchLike, HttpBackend } from "../http";
import { silentLogger } from "../types";
import { CairnClient, type ClientOptions } from "./client";

/**
 * Options of `HttpClient`.
 * @example new HttpClient({ host: "localhost", port: 8000, headers: { "x-chroma-token": "…" }, timeoutMs: 10_000 })
 */
export interface HttpClientOptions extends ClientOptions {
  /** Server host (default `localhost`). */
  host?: string;
  /** Server port (default 8000). */
  port?: number;
  /** Use https (default false). */
  ssl?: boolean;
  /** A full base URL such as `http://10.0.0.5:8000`; overrides host, port and ssl. */
  path?: string;
  /** Headers sent with every request (e.g. an auth token for a proxy). */
  headers?: Record<string, string>;
  /** Per-request timeout in milliseconds (default 30 000); exceeded → `TIMEOUT`. */
  timeoutMs?: number;
  /** The fetch implementation (default: the global `fetch`). */
  fetch?: FetchLike;
}

const HTTP_KEYS = [
  "host",
  "port",
  "ssl",
  "path",
  "headers",
  "timeoutMs",
  "fetch",
  "tenant",
  "database",
  "logger",
  "embeddingFunctions",
];

function baseUrlOf(opts: HttpClientOptions): string {
  if (opts.path !== undefined) {
    let url: URL;
    try {
      url = new URL(opts.path);
    } catch {
      throw invalidArgument(
        "path",
        `expected a URL such as "http://localhost:8000", got ${JSON.stringify(opts.path)}`,
      );
    }
    if (url.protocol !== "http:" && url.protocol !== "https:")
      throw invalidArgument("path", `expected an http(s) URL, got ${url.protocol}`);
    return `${url.origin}${url.pathname.replace(/\/+$/, "")}`;
  }
  const host = opts.host ?? "localhost";
  const port = opts.port ?? 8000;
  if (typeof host !== "string" || host.length === 0)
    throw invalidArgument("host", "expected a host name or address");
  if (!Number.isInteger(port) || port < 1 || port > 65_535)
    throw invalidArgument("port", `expected an integer 1-65535, got ${port}`);
  const hostPart = host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
  return `${opts.ssl ? "https" : "http"}://${hostPart}:${port}`;
}

/**
 * A client of a Cairn server (`cairn run`), or of a Chroma server as far as its API allows. Same collections,
 * verbs, results and error classes as the embedded clients: the server sends each error's `code` and the client
 * rebuilds the same class. Texts are embedded here, on the client side, like the `chromadb` client does.
 * @example
 * const client = new HttpClient({ port: 8000 });
 * const docs = await client.getOrCreateCollection({ name: "docs", embeddingFunction: new HashEmbeddingFunction() });
 * await docs.add({ ids: ["a"], documents: ["hello"] });
 */
export class HttpClient extends CairnClient {
  /** The server's base URL. */
  readonly url: string;

  constructor(options: HttpClientOptions = {}) {
    const opts = expectOptionsObject(options, "HttpClient") as HttpClientOptions;
    rejectUnknownKeys(opts, HTTP_KEYS, "HttpClient");
    const timeoutMs = opts.timeoutMs ?? 30_000;
    if (!Number.isInteger(timeoutMs) || timeoutMs < 1)
      throw invalidArgument("timeoutMs", `expected a positive integer, got ${timeoutMs}`);
    const url = baseUrlOf(opts);
    const backend = new HttpBackend({
      baseUrl: url,
      headers: { ...(opts.headers ?? {}) },
      timeoutMs,
      fetch: opts.fetch ?? ((input, init) => fetch(input, init)),
      logger: opts.logger ?? silentLogger,
      tenant: opts.tenant ?? "default_tenant",
      database: opts.database ?? "default_database",
    });
    // reset() is allowed or refused by the server (`--allow-reset`), not by the client.
    super(backend, opts, true);
    this.url = url;
  }
}
