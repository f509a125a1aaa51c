/**
 * Status ⇄ error class on the client side. A Cairn server sends our stable `code` next to Chroma's
 * `{error, message}`, so the error is rebuilt exactly (`instanceof` and `.code` as if local). A Chroma server
 * sends no code: the status (and a few well-known messages) pick one.
 */
import { type CairnError, createError, type ErrorCode, isErrorCode } from "../errors";

/** Codes to use for a status when the server sent none, chosen by the caller (which knows the resource). */
export type StatusCodeHints = Partial<Record<404 | 409, ErrorCode>>;

const BY_STATUS: Record<number, ErrorCode> = {
  400: "INVALID_ARGUMENT",
  401: "UNAUTHENTICATED",
  403: "FORBIDDEN",
  404: "NOT_FOUND",
  409: "COLLECTION_EXISTS",
  413: "PAYLOAD_TOO_LARGE",
  422: "INVALID_ARGUMENT",
  429: "OVERLOADED",
  501: "UNSUPPORTED",
  503: "STORAGE_BUSY",
  504: "TIMEOUT",
};

/** Chroma 1.0 messages that name a more precise kind than their status. */
const BY_MESSAGE: [RegExp, ErrorCode][] = [
  [/dimension/i, "DIMENSION_MISMATCH"],
  [/where (document )?clause|regex/i, "INVALID_FILTER"],
  [/Validation error: (new_)?name/i, "INVALID_COLLECTION_NAME"],
];

function codeFor(status: number, message: string, hints: StatusCodeHints): ErrorCode {
  if (status === 400) {
    for (const [pattern, code] of BY_MESSAGE) if (pattern.test(message)) return code;
  }
  if (status === 404 || status === 409) return hints[status] ?? BY_STATUS[status]!;
  return BY_STATUS[status] ?? "INTERNAL";
}

/**
 * Milliseconds a `Retry-After` header asks the client to wait (seconds or an HTTP date); undefined when absent
 * or unreadable.
 */
export function retryAfterMsOf(value: string | null | undefined, now = Date.now()): number | undefined {
  if (value === null || value === undefined || value.trim() === "") return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  if (!/^[A-Za-z]{3}, /.test(value.trim())) return undefined; // HTTP dates start with the weekday
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * The error for a non-2xx response. `body` is the parsed JSON (or undefined for an empty/non-JSON body).
 * `retryAfterMs` (from a 429/503's `Retry-After`) lands in `details.retryAfterMs`.
 */
export function errorFromResponse(
  status: number,
  body: unknown,
  request: { method: string; url: string },
  hints: StatusCodeHints = {},
  retryAfterMs?: number,
): CairnError {
  const json = (body !== null && typeof body === "object" ? body : {}) as {
    error?: unknown;
    message?: unknown;
    code?: unknown;
  };
  const serverMessage = typeof json.message === "string" ? json.message : undefined;
  const message = serverMessage ?? `${request.method} ${request.url} failed with HTTP ${status}`;
  const code = isErrorCode(json.code) ? json.code : codeFor(status, message, hints);
  const details: Record<string, unknown> = { status, method: request.method, url: request.url };
  if (typeof json.error === "string") details.error = json.error;
  if (retryAfterMs !== undefined) details.retryAfterMs = retryAfterMs;
  return createError(code, message, { details });
}

/** The error for a request that got no response: refused connection, DNS failure, reset, or timeout. */
export function errorFromFailure(
  error: unknown,
  request: { method: string; url: string },
  timeoutMs: number,
): CairnError {
  const name = (error as { name?: unknown })?.name;
  if (name === "TimeoutError") {
    return createError(
      "TIMEOUT",
      `${request.method} ${request.url} did not answer within ${timeoutMs} ms (timeoutMs).`,
      {
        cause: error,
        details: { ...request, timeoutMs },
      },
    );
  }
  const cause = (error as { cause?: { code?: unknown; message?: unknown } })?.cause;
  const reason =
    typeof cause?.code === "string"
      ? cause.code
      : String((cause?.message ?? (error as Error)?.message) || error);
  return createError(
    "CONNECTION_FAILED",
    `Could not reach the server at ${request.url} (${reason}). Is \`cairn run\` (or a Chroma server) running on that host and port?`,
    { cause: error, details: { ...request, reason } },
  );
}
