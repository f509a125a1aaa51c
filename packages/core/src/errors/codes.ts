/**
 * Every error code Cairn throws, with its kind and HTTP status. The server maps code → status through this
 * table and the HttpClient maps it back, so `instanceof` and `.code` behave the same local and remote.
 */
export const ERROR_CODES = {
  INVALID_ARGUMENT: { kind: "invalid_argument", status: 400 },
  UNKNOWN_OPTION: { kind: "invalid_argument", status: 400 },
  INVALID_FILTER: { kind: "invalid_argument", status: 400 },
  INVALID_METADATA: { kind: "invalid_argument", status: 400 },
  INVALID_COLLECTION_NAME: { kind: "invalid_argument", status: 400 },
  INVALID_CONFIGURATION: { kind: "invalid_argument", status: 400 },
  INVALID_EXPORT_FILE: { kind: "invalid_argument", status: 400 },
  NOT_FOUND: { kind: "not_found", status: 404 },
  COLLECTION_NOT_FOUND: { kind: "not_found", status: 404 },
  DATABASE_NOT_FOUND: { kind: "not_found", status: 404 },
  TENANT_NOT_FOUND: { kind: "not_found", status: 404 },
  DUPLICATE_ID: { kind: "conflict", status: 409 },
  COLLECTION_EXISTS: { kind: "conflict", status: 409 },
  DATABASE_EXISTS: { kind: "conflict", status: 409 },
  TENANT_EXISTS: { kind: "conflict", status: 409 },
  IMPORT_CONFLICT: { kind: "conflict", status: 409 },
  DIMENSION_MISMATCH: { kind: "dimension_mismatch", status: 400 },
  EMBEDDING_FAILED: { kind: "embedding", status: 500 },
  EMBEDDING_FUNCTION_MISSING: { kind: "embedding", status: 400 },
  EMBEDDING_FUNCTION_CONFLICT: { kind: "embedding", status: 409 },
  EMBEDDING_FUNCTION_UNKNOWN: { kind: "embedding", status: 400 },
  MODEL_UNAVAILABLE: { kind: "embedding", status: 503 },
  EMBEDDING_RUNTIME_MISSING: { kind: "embedding", status: 503 },
  STORAGE_ERROR: { kind: "storage", status: 500 },
  STORAGE_CORRUPT: { kind: "storage", status: 500 },
  STORAGE_BUSY: { kind: "storage", status: 503 },
  STORAGE_TOO_NEW: { kind: "storage", status: 500 },
  BACKUP_INVALID: { kind: "storage", status: 422 },
  DESTINATION_EXISTS: { kind: "conflict", status: 409 },
  CLIENT_CLOSED: { kind: "invalid_argument", status: 400 },
  RESET_DISABLED: { kind: "forbidden", status: 403 },
  UNAUTHENTICATED: { kind: "forbidden", status: 401 },
  FORBIDDEN: { kind: "forbidden", status: 403 },
  UNSUPPORTED: { kind: "unsupported", status: 501 },
  CONNECTION_FAILED: { kind: "connection", status: 503 },
  TIMEOUT: { kind: "connection", status: 504 },
  OVERLOADED: { kind: "connection", status: 429 },
  PAYLOAD_TOO_LARGE: { kind: "invalid_argument", status: 413 },
  INTERNAL: { kind: "internal", status: 500 },
} as const;

/** A stable, branchable error code. */
export type ErrorCode = keyof typeof ERROR_CODES;

/** The kind of an error code; each kind has its own error subclass. */
export type ErrorKind = (typeof ERROR_CODES)[ErrorCode]["kind"];

/** HTTP status for an error code (used by the server). */
export function httpStatusOf(code: ErrorCode): number {
  return ERROR_CODES[code]?.status ?? 500;
}

/** Whether a string is a known error code. */
export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === "string" && Object.hasOwn(ERROR_CODES, code);
}
