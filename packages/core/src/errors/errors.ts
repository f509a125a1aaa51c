import { ERROR_CODES, type ErrorCode, type ErrorKind, isErrorCode } from "./codes";

/** Options of every Cairn error. */
export interface CairnErrorOptions {
  /** The underlying error, kept as `cause`. */
  cause?: unknown;
  /** Machine-readable context (ids, paths, sizes). */
  details?: Record<string, unknown>;
}

/**
 * The base of every error Cairn throws. Branch on `code` (stable), not on the message (prose).
 * @example
 * try { await col.add({ ids: ["a"], documents: ["x"] }); }
 * catch (e) { if (e instanceof CairnError && e.code === "DUPLICATE_ID") { … } }
 */
export class CairnError extends Error {
  /** Stable SCREAMING_SNAKE code. */
  readonly code: ErrorCode;
  /** Machine-readable context. */
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, options: CairnErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.details = options.details;
  }

  /** A plain object for logs and the wire. */
  toJSON(): { name: string; code: ErrorCode; message: string; details?: Record<string, unknown> } {
    return { name: this.name, code: this.code, message: this.message, details: this.details };
  }
}

/** A caller passed something invalid (bad shape, bad value, unknown option, bad filter). */
export class InvalidArgumentError extends CairnError {}
/** A collection, record, database or tenant does not exist. */
export class NotFoundError extends CairnError {}
/** The thing exists already (duplicate id, collection name) or conflicts with stored state. */
export class ConflictError extends CairnError {}
/** A vector's length differs from the collection's dimension. */
export class DimensionMismatchError extends CairnError {}
/** An embedding function failed, is missing, or conflicts with the collection's. */
export class EmbeddingError extends CairnError {}
/** The database or index files could not be read or written. */
export class StorageError extends CairnError {}
/** A remote call could not be made (connection refused, timeout) or the server refused it for now (overloaded). */
export class ConnectionError extends CairnError {}
/**
 * The operation is not allowed: by configuration (`RESET_DISABLED`: `reset` without `allowReset`), for want of a
 * valid token (`UNAUTHENTICATED`, HTTP 401) or because the token's role lacks the right (`FORBIDDEN`, HTTP 403).
 */
export class ForbiddenError extends CairnError {}
/** The operation is not supported. */
export class UnsupportedError extends CairnError {}

const CLASS_OF_KIND: Record<
  ErrorKind,
  new (
    code: ErrorCode,
    message: string,
    options?: CairnErrorOptions,
  ) => CairnError
> = {
  invalid_argument: InvalidArgumentError,
  not_found: NotFoundError,
  conflict: ConflictError,
  dimension_mismatch: DimensionMismatchError,
  embedding: EmbeddingError,
  storage: StorageError,
  connection: ConnectionError,
  forbidden: ForbiddenError,
  unsupported: UnsupportedError,
  internal: CairnError,
};

/**
 * Creates the error of the right subclass for a code. Used by the HttpClient to rebuild errors sent by the
 * server, and internally so that a code always maps to the same class.
 */
export function createError(code: string, message: string, options: CairnErrorOptions = {}): CairnError {
  const known: ErrorCode = isErrorCode(code) ? code : "INTERNAL";
  const Ctor = CLASS_OF_KIND[ERROR_CODES[known].kind];
  return new Ctor(known, message, options);
}

/** Shorthand for an `INVALID_ARGUMENT` error at a JSON path: `"metadatas[3].year: expected …"`. */
export function invalidArgument(
  path: string,
  problem: string,
  details?: Record<string, unknown>,
): InvalidArgumentError {
  return new InvalidArgumentError("INVALID_ARGUMENT", `${path}: ${problem}`, {
    details: { path, ...details },
  });
}
