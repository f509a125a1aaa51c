/**
 * The fetch-based transport: one JSON request per call, a timeout per request, and every failure turned into
 * a Cairn error (see ./errors).
 */
import { createError } from "../errors";
import type { Logger } from "../types";
import { errorFromFailure, errorFromResponse, retryAfterMsOf, type StatusCodeHints } from "./errors";

/** The `fetch` signature the transport needs (the global one, or an injected one for tests and proxies). */
export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

/** How the transport talks to the server. */
export interface TransportOptions {
  /** e.g. `http://localhost:8000` (no trailing slash). */
  baseUrl: string;
  headers: Record<string, string>;
  timeoutMs: number;
  fetch: FetchLike;
  logger: Logger;
}

/** One request. */
export interface RequestSpec {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  path: string;
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  /** Error codes for 404/409 when the server sends no code (a Chroma server). */
  codes?: StatusCodeHints;
}

/** The result of a request whose status the caller wants to inspect (e.g. a missing route on older servers). */
export interface RawResult {
  status: number;
  body: unknown;
  empty: boolean;
  /** The `Retry-After` header of the response, in milliseconds (429 and 503 answers), if any. */
  retryAfterMs?: number;
}

async function readJson(response: Response): Promise<{ body: unknown; empty: boolean }> {
  const text = await response.text();
  if (text.length === 0) return { body: undefined, empty: true };
  try {
    return { body: JSON.parse(text) as unknown, empty: false };
  } catch {
    return { body: text, empty: false };
  }
}

/** Sends JSON requests to one server. */
export class HttpTransport {
  private closed = false;

  constructor(private readonly options: TransportOptions) {}

  /** The URL of a path. */
  url(path: string, query?: RequestSpec["query"]): string {
    const params = Object.entries(query ?? {}).filter(([, v]) => v !== undefined);
    const search =
      params.length > 0
        ? `?${new URLSearchParams(params.map(([k, v]): [string, string] => [k, String(v)])).toString()}`
        : "";
    return `${this.options.baseUrl}${path}${search}`;
  }

  /** Sends a request; resolves with the parsed JSON of a 2xx response, rejects with a Cairn error otherwise. */
  async request<T>(spec: RequestSpec): Promise<T> {
    const result = await this.send(spec);
    if (result.status >= 200 && result.status < 300) return result.body as T;
    throw errorFromResponse(
      result.status,
      result.body,
      { method: spec.method, url: this.url(spec.path, spec.query) },
      spec.codes,
      result.retryAfterMs,
    );
  }

  /** Sends a request and returns status and body whatever the status (connection failures still throw). */
  async send(spec: RequestSpec): Promise<RawResult> {
    if (this.closed) throw createError("CLIENT_CLOSED", "The client is closed; create a new HttpClient.");
    const url = this.url(spec.path, spec.query);
    const headers: Record<string, string> = { accept: "application/json", ...this.options.headers };
    const init: RequestInit = {
      method: spec.method,
      headers,
      signal: AbortSignal.timeout(this.options.timeoutMs),
    };
    if (spec.body !== undefined) {
      headers["content-type"] = "application/json";
      init.body = JSON.stringify(spec.body);
    }
    const started = performance.now();
    try {
      const response = await this.options.fetch(url, init);
      const { body, empty } = await readJson(response);
      this.options.logger.debug("http request", {
        method: spec.method,
        url,
        status: response.status,
        ms: Math.round(performance.now() - started),
      });
      const retryAfterMs = retryAfterMsOf(response.headers.get("retry-after"));
      return retryAfterMs === undefined
        ? { status: response.status, body, empty }
        : { status: response.status, body, empty, retryAfterMs };
    } catch (error) {
      throw errorFromFailure(error, { method: spec.method, url }, this.options.timeoutMs);
    }
  }

  /** Refuses further requests. */
  close(): void {
    this.closed = true;
  }
}
