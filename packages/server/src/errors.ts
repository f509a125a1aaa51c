/**
 * Errors on the wire: Chroma's `{error, message}` body and status, plus Cairn's stable `code` so the HttpClient
 * rebuilds the same error class. Engine errors map through core's `httpStatusOf`; problems found by the server
 * itself (unparsable JSON, wrong shape, oversized body, wrong method) carry their own status.
 */
import { CairnError, type ErrorCode, httpStatusOf } from "@cairndb/core";

/** The JSON body of every error response. */
export interface ErrorBody {
  /** Chroma's error kind: `InvalidArgumentError` (400), `NotFoundError` (404), `InternalError` (500), else `ChromaError`. */
  error: string;
  message: string;
  /** Cairn's stable code (see `ERROR_CODES` in @cairndb/core). */
  code: ErrorCode;
}

/** A request the server refuses before it reaches the database. */
export class RequestError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = "RequestError";
  }
}

/** Chroma's error kind for a status. */
export function chromaKind(status: number): string {
  if (status === 400) return "InvalidArgumentError";
  if (status === 404) return "NotFoundError";
  if (status === 500) return "InternalError";
  return "ChromaError";
}

/**
 * Status, body and headers for any thrown value. Unknown errors are 500 with code `INTERNAL`. `internal` marks
 * a server fault (any 500) whose stack is worth logging; every other error is an expected answer.
 */
export function toErrorResponse(error: unknown): {
  status: number;
  body: ErrorBody;
  headers: Record<string, string>;
  internal: boolean;
} {
  if (error instanceof RequestError) {
    return {
      status: error.status,
      body: { error: chromaKind(error.status), message: error.message, code: error.code },
      headers: error.headers,
      internal: false,
    };
  }
  if (error instanceof CairnError) {
    const status = httpStatusOf(error.code);
    return {
      status,
      body: { error: chromaKind(status), message: error.message, code: error.code },
      headers: {},
      // 501 (unsupported), 503 (busy, model unavailable) and 504 are expected answers, not server faults.
      internal: status === 500,
    };
  }
  const message = error instanceof Error ? error.message : String(error);
  return {
    status: 500,
    body: { error: "InternalError", message: `Internal error: ${message}`, code: "INTERNAL" },
    headers: {},
    internal: true,
  };
}
