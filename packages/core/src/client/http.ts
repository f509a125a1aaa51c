/** The remote client: the same Client/Collection API over HTTP, against `cairn run` or a Chroma server. */
import { expectOptionsObject, rejectUnknownKeys } from "../config";
import { invalidArgument } from "../errors";
import { type FetchLike, HttpBackend } from "../http";
import { silentLogger } from "../types";
import { CairnClient, type ClientOptions } from "./client";

/**
 * Options of `HttpClient`.
 * @example new HttpClient({ host: "localhost", port: 8000, token: process.env.CAIRN_TOKEN, timeoutMs: 10_000 })
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
  /**
   * Headers sent with every request (e.g. an auth token for a proxy). Checked when the client is built: names
   * must be HTTP tokens, values strings without line breaks, control characters or characters above U+00FF (leading and trailing
   * whitespace is dropped, as fetch does).
   */
  headers?: Record<string, string>;
  /**
   * An API token (from `cairn tokens create`), sent as `Authorization: Bearer <token>` with every request. A
   * missing or unknown token gets `UNAUTHENTICATED` (401), a token without the right `FORBIDDEN` (403); both
   * are `ForbiddenError`s. Cannot be combined with an `Authorization` entry in `headers`.
   */
  token?: string;
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
  "token",
  "timeoutMs",
  "fetch",
  "tenant",
  "database",
  "logger",
  "embeddingFunctions",
];

/** An HTTP header name: an RFC 9110 token. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** Describes a value in an error message without walking it. */
function kindOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value === "object" ? "an object" : `a ${typeof value} (${String(value)})`;
}

/**
 * Checks `headers` as fetch would at the first request, so a bad one fails here with its name instead of as a
 * `CONNECTION_FAILED` later.
 * @throws InvalidArgumentError code `INVALID_ARGUMENT` naming the header and what is wrong with it
 */
function checkHeaders(headers: unknown): Record<string, string> {
  if (headers === undefined) return {};
  if (headers === null || typeof headers !== "object" || Array.isArray(headers))
    throw invalidArgument(
      "headers",
      `expected an object of header names to string values, got ${kindOf(headers)}`,
    );
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const path = `headers[${JSON.stringify(name)}]`;
    if (!TOKEN.test(name))
      throw invalidArgument(
        path,
        "is not a valid header name (letters, digits and !#$%&'*+-.^_`|~ only; no spaces or colons)",
      );
    if (typeof value !== "string")
      throw invalidArgument(path, `expected a string value, got ${kindOf(value)}; convert it with String()`);
    // fetch drops leading and trailing whitespace (a token read from a file keeps working), then refuses
    // control characters inside the value (tab aside) and anything above U+00FF.
    const trimmed = value.replace(/^[\t\n\r ]+|[\t\n\r ]+$/g, "");
    const bad = /[^\t\u0020-\u007e\u0080-\u00ff]/.exec(trimmed);
    if (bad) {
      const char = bad[0]!;
      const code = `U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}`;
      const what =
        char === "\r" || char === "\n"
          ? "a line break"
          : char > "\u00ff"
            ? `the character ${JSON.stringify(char)} (${code}), outside Latin-1`
            : `the control character ${code}`;
      throw invalidArgument(
        path,
        `the value contains ${what} at index ${value.indexOf(char)}; header values must be single-line Latin-1 text (encode other text, e.g. with encodeURIComponent)`,
      );
    }
    out[name] = trimmed;
  }
  return out;
}

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
 * Adds `Authorization: Bearer <token>` to the checked headers.
 * @throws InvalidArgumentError code `INVALID_ARGUMENT` for a token that is not a non-empty single-line Latin-1
 *   string, or when `headers` already has an `Authorization` entry
 */
function withToken(headers: Record<string, string>, token: unknown): Record<string, string> {
  if (token === undefined) return headers;
  if (typeof token !== "string" || token.trim().length === 0)
    throw invalidArgument("token", `expected a non-empty string, got ${kindOf(token)}`);
  if (Object.keys(headers).some((name) => name.toLowerCase() === "authorization"))
    throw invalidArgument(
      "token",
      "headers already has an Authorization entry; pass the token either as `token` or in `headers`, not both",
    );
  const checked = checkHeaders({ authorization: `Bearer ${token.trim()}` });
  return { ...headers, ...checked };
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
    const headers = withToken(checkHeaders(opts.headers), opts.token);
    const backend = new HttpBackend({
      baseUrl: url,
      headers,
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
