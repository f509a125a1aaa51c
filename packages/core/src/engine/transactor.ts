/**
 * Runs the engine's work in SQLite transactions and makes sure only Cairn errors leave it.
 *
 * - Writes take SQLite's write lock up front (BEGIN IMMEDIATE), so concurrent writers — threads or processes —
 *   queue on the lock (better-sqlite3's busy timeout) instead of failing half-way; a writer that still finds
 *   the lock taken after the timeout retries a few times before `STORAGE_BUSY` reaches the caller.
 * - SQLite errors become typed storage errors (`toStorageError`).
 * - Anything else that is not a `CairnError` is either damaged data that decoded into nonsense or a bug. The
 *   database's structure is then checked (`PRAGMA quick_check`, at most once a minute because it reads the
 *   whole file): damage becomes `STORAGE_CORRUPT` naming the file, a bug becomes `INTERNAL` with the original
 *   error as `cause`. A raw TypeError or RangeError never reaches the caller.
 */
import { CairnError, createError, StorageError } from "../errors";
import { CORRUPT_ADVICE, type Db, integrityProblems, toStorageError } from "../storage";

/** Extra attempts after a write (or read) found the database locked past the busy timeout. */
const BUSY_RETRIES = 5;
/** Minimum time between two integrity checks on the failure path. */
const INTEGRITY_CHECK_INTERVAL_MS = 60_000;

/** What code that only needs transactions (leases, snapshots, the index manager) gets of a {@link Transactor}. */
export type Transactions = Pick<Transactor, "read" | "write">;

/**
 * Transactions and error translation for one connection. Every transaction of the engine goes through one
 * of these: nothing else calls `db.transaction`.
 */
export class Transactor {
  private checkedAt = Number.NEGATIVE_INFINITY;
  private lastProblems: string | null = null;

  constructor(
    private readonly db: Db,
    /** The database file, for messages (null: in memory). */
    private readonly file: string | null,
    private readonly isClosed: () => boolean,
  ) {}

  /**
   * Runs `fn` in a read transaction (one consistent snapshot of the database). Inside another transaction it
   * becomes a savepoint of that one (no retry there: only the outermost transaction can be retried).
   */
  read<T>(fn: () => T): T {
    if (this.db.open && this.db.inTransaction) return this.guard(() => this.db.transaction(fn)());
    return this.retryBusy(() => this.db.transaction(fn)());
  }

  /**
   * Runs `fn` in an IMMEDIATE write transaction; retries when the lock stayed taken past the busy timeout.
   * Inside another transaction it becomes a savepoint of that one.
   */
  write<T>(fn: () => T): T {
    if (this.db.open && this.db.inTransaction) return this.guard(() => this.db.transaction(fn)());
    return this.retryBusy(() => this.db.transaction(fn).immediate());
  }

  /** Runs `fn` outside any transaction (VACUUM, checkpoints), with busy retries and error translation. */
  run<T>(fn: () => T): T {
    return this.retryBusy(fn);
  }

  /** Runs `fn` with error translation only (no retry). */
  guard<T>(fn: () => T): T {
    if (this.isClosed()) throw new StorageError("CLIENT_CLOSED", "The client is closed; open a new one.");
    try {
      return fn();
    } catch (error) {
      throw this.translate(error);
    }
  }

  private retryBusy<T>(fn: () => T): T {
    for (let attempt = 0; ; attempt++) {
      try {
        return this.guard(fn);
      } catch (error) {
        if (!(error instanceof StorageError && error.code === "STORAGE_BUSY") || attempt >= BUSY_RETRIES)
          throw error;
      }
    }
  }

  /** The Cairn error to throw for anything `fn` threw. */
  translate(error: unknown): CairnError {
    if (error instanceof CairnError) return error;
    const mapped = toStorageError(error, this.file);
    if (mapped instanceof CairnError) return mapped;
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    const problems = this.integrityProblems();
    if (problems) {
      return new StorageError(
        "STORAGE_CORRUPT",
        `The database file ${this.file ?? "(in-memory database)"} is damaged (${problems}; while reading it: ${message}). ${CORRUPT_ADVICE}`,
        { cause: error, details: { file: this.file, problems } },
      );
    }
    return createError("INTERNAL", `Internal error in Cairn (please report it): ${message}`, {
      cause: error,
    });
  }

  private integrityProblems(): string | null {
    const now = Date.now();
    if (now - this.checkedAt < INTEGRITY_CHECK_INTERVAL_MS) return this.lastProblems;
    this.checkedAt = now;
    try {
      this.lastProblems = this.db.open ? integrityProblems(this.db) : null;
    } catch (error) {
      const mapped = toStorageError(error, this.file);
      this.lastProblems =
        mapped instanceof StorageError && mapped.code === "STORAGE_CORRUPT"
          ? String((error as Error).message)
          : null;
    }
    return this.lastProblems;
  }
}
