/**
 * PostgreSQL errors → Cairn errors: a driver or server error never reaches the user raw. Errors Cairn threw
 * itself pass through unchanged.
 */
import { CairnError, ConnectionError, InvalidArgumentError, StorageError } from "@cairndb/core";

/** The fields of a node-postgres / PGlite error this module reads. */
interface DriverError {
  code?: unknown;
  message?: unknown;
  detail?: unknown;
}

const CONNECTION_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ENOTFOUND",
  "ETIMEDOUT",
  "EPIPE",
  "EHOSTUNREACH",
]);

/**
 * Converts whatever a statement threw into a CairnError. `operation` names what was being done, for the
 * message (e.g. `"add to collection 'docs'"`).
 */
export function toCairnError(error: unknown, operation: string): CairnError {
  if (error instanceof CairnError) return error;
  const e = (error ?? {}) as DriverError;
  const code = typeof e.code === "string" ? e.code : "";
  const message = typeof e.message === "string" ? e.message : String(error);
  const details = { sqlstate: code || undefined, operation };
  if (code === "57014")
    return new ConnectionError(
      "TIMEOUT",
      `${operation}: PostgreSQL cancelled the statement (statement timeout). Narrow the filter (a $regex over many documents is the usual cause) or raise regexTimeoutMs.`,
      { cause: error, details },
    );
  if (code === "2201B")
    return new InvalidArgumentError(
      "INVALID_FILTER",
      `whereDocument: PostgreSQL rejected the regular expression: ${message}. Patterns run as PostgreSQL regular expressions (inline flags such as (?i) only at the start).`,
      { cause: error, details },
    );
  if (code === "22P05" || code === "22021")
    return new InvalidArgumentError(
      "INVALID_ARGUMENT",
      `${operation}: PostgreSQL cannot store this text (${message}); remove NUL (\\u0000) characters from documents, uris and metadata.`,
      { cause: error, details },
    );
  if (code === "40001" || code === "40P01" || code === "55P03" || code === "53300")
    return new StorageError(
      "STORAGE_BUSY",
      `${operation}: PostgreSQL is busy (${message}). Retry the call.`,
      { cause: error, details },
    );
  if (
    CONNECTION_CODES.has(code) ||
    code.startsWith("08") ||
    code === "57P01" ||
    code === "57P03" ||
    /Connection terminated|connect ECONNREFUSED/i.test(message)
  )
    return new ConnectionError(
      "CONNECTION_FAILED",
      `${operation}: cannot reach PostgreSQL (${message}). Check that the server is running and the connection string is right.`,
      { cause: error, details },
    );
  return new StorageError(
    "STORAGE_ERROR",
    `${operation}: PostgreSQL error${code ? ` ${code}` : ""}: ${message}`,
    { cause: error, details },
  );
}

/** Whether a driver error is a unique violation (SQLSTATE 23505). */
export const isUniqueViolation = (error: unknown): boolean => (error as DriverError | null)?.code === "23505";
