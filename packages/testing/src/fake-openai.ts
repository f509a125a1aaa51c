/**
 * A fake OpenAI-compatible embeddings server on loopback: `POST /v1/embeddings` returns deterministic vectors
 * (a function of the text, the model and the requested dimensions), logs every request, and can be scripted to
 * fail: 429 with `Retry-After`, 5xx, 401 with an OpenAI-style error body, or a hang.
 */
import { createHash } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

/** One scripted answer, used for the next request instead of a success. */
export type FakeOpenAIFailure =
  | { status: 429; retryAfter?: string; retryAfterMs?: string; message?: string }
  | { status: 400 | 401 | 403 | 404 | 500 | 502 | 503; message?: string }
  | { hang: true };

/** One logged request. */
export interface FakeOpenAIRequest {
  /** Milliseconds since the server started. */
  at: number;
  authorization: string | undefined;
  organization: string | undefined;
  body: { model?: string; input?: string[]; dimensions?: number; encoding_format?: string };
  /** The status sent, or `"hang"`. */
  status: number | "hang";
}

/**
 * Options of {@link startFakeOpenAI}.
 * @example await startFakeOpenAI({ apiKey: "sk-test", shuffle: true })
 */
export interface FakeOpenAIOptions {
  /** When set, other bearer tokens get 401 `Incorrect API key provided`. */
  apiKey?: string;
  /** Return `data` in reverse order (clients must order by `index`). Default false. */
  shuffle?: boolean;
}

/** A running fake server. */
export interface FakeOpenAI {
  /** Base URL to use as `baseURL`, e.g. `http://127.0.0.1:40123/v1`. */
  baseURL: string;
  requests: FakeOpenAIRequest[];
  /** Queues answers for the next requests (first in, first used). */
  script(...failures: FakeOpenAIFailure[]): void;
  /** The vector the server returns for a text. */
  vectorFor(text: string, dimensions: number, model?: string): number[];
  close(): Promise<void>;
}

const MODEL_DIMENSIONS: Record<string, number> = {
  "text-embedding-3-small": 1536,
  "text-embedding-3-large": 3072,
  "text-embedding-ada-002": 1536,
};

/** A deterministic unit vector derived from sha256(model, text). */
export function fakeOpenAIVector(
  text: string,
  dimensions: number,
  model = "text-embedding-3-small",
): number[] {
  const out: number[] = [];
  for (let block = 0; out.length < dimensions; block++) {
    const digest = createHash("sha256").update(`${model}\u0000${block}\u0000${text}`).digest();
    for (let i = 0; i + 1 < digest.length && out.length < dimensions; i += 2) {
      out.push(digest.readUInt16LE(i) / 32768 - 1);
    }
  }
  const norm = Math.hypot(...out) || 1;
  return out.map((v) => v / norm);
}

const errorBody = (message: string, type: string, code: string | null) =>
  JSON.stringify({ error: { message, type, param: null, code } });

/** Starts the fake server on 127.0.0.1 with an ephemeral port. */
export async function startFakeOpenAI(options: FakeOpenAIOptions = {}): Promise<FakeOpenAI> {
  const started = Date.now();
  const requests: FakeOpenAIRequest[] = [];
  const queue: FakeOpenAIFailure[] = [];

  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    let body: FakeOpenAIRequest["body"] = {};
    try {
      body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
    } catch {
      // logged as an empty body; answered 400 below
    }
    const entry: FakeOpenAIRequest = {
      at: Date.now() - started,
      authorization: req.headers.authorization,
      organization: req.headers["openai-organization"] as string | undefined,
      body,
      status: 200,
    };
    requests.push(entry);
    const send = (status: number, payload: string, headers: Record<string, string> = {}) => {
      entry.status = status;
      res.writeHead(status, { "content-type": "application/json", ...headers }).end(payload);
    };
    if (req.method !== "POST" || new URL(req.url ?? "/", "http://x").pathname !== "/v1/embeddings") {
      return send(
        404,
        errorBody(`Unknown request URL: ${req.method} ${req.url}`, "invalid_request_error", "unknown_url"),
      );
    }
    const failure = queue.shift();
    if (failure && "hang" in failure) {
      entry.status = "hang";
      return; // never answers; close() drops the socket
    }
    if (failure) {
      const headers: Record<string, string> = {};
      if (failure.status === 429 && failure.retryAfter !== undefined)
        headers["retry-after"] = failure.retryAfter;
      if (failure.status === 429 && failure.retryAfterMs !== undefined)
        headers["retry-after-ms"] = failure.retryAfterMs;
      const type =
        failure.status === 429
          ? "rate_limit_exceeded"
          : failure.status >= 500
            ? "server_error"
            : "invalid_request_error";
      return send(
        failure.status,
        errorBody(failure.message ?? `scripted ${failure.status}`, type, null),
        headers,
      );
    }
    if (options.apiKey !== undefined && req.headers.authorization !== `Bearer ${options.apiKey}`) {
      const shown = (req.headers.authorization ?? "").replace(/^Bearer /, "").slice(0, 4);
      return send(
        401,
        errorBody(`Incorrect API key provided: ${shown}****.`, "invalid_request_error", "invalid_api_key"),
      );
    }
    const input = body.input;
    if (
      !Array.isArray(input) ||
      input.length === 0 ||
      input.length > 2048 ||
      typeof body.model !== "string"
    ) {
      return send(
        400,
        errorBody("'input' must be a non-empty array of at most 2048 strings", "invalid_request_error", null),
      );
    }
    const dims = body.dimensions ?? MODEL_DIMENSIONS[body.model] ?? 1536;
    const data = input.map((text, index) => ({
      object: "embedding",
      index,
      embedding: fakeOpenAIVector(text, dims, body.model),
    }));
    if (options.shuffle) data.reverse();
    const tokens = input.reduce((n, t) => n + Math.ceil(t.length / 4), 0);
    send(
      200,
      JSON.stringify({
        object: "list",
        data,
        model: body.model,
        usage: { prompt_tokens: tokens, total_tokens: tokens },
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    requests,
    script: (...failures) => {
      queue.push(...failures);
    },
    vectorFor: (text, dimensions, model) => fakeOpenAIVector(text, dimensions, model),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
