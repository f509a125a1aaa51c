/**
 * Opening the SQLite database: pragmas, migrations, SQL functions, and the mapping of SQLite failures to
 * Cairn's typed storage errors.
 */
import Database from "better-sqlite3";
import { createError, StorageError } from "../errors";
import { MIGRATIONS, SCHEMA_VERSION } from "./schema";
import { registerSqlFunctions } from "./sql-functions";

/** An open better-sqlite3 connection. */
export type Db = Database.Database;

/** How a database is opened. */
export interface OpenDatabaseOptions {
  /** The SQLite file, or `null` for an in-memory database. */
  file: string | null;
  /** How long a writer waits for another process's lock before failing with `STORAGE_BUSY`. */
  busyTimeoutMs: number;
  /** `"normal"` survives process crashes (WAL, synchronous=NORMAL); `"full"` also power loss. */
  durability: "normal" | "full";
}

/** The id of the default database, as in Chroma. */
export const DEFAULT_DATABASE_ID = "00000000-0000-0000-0000-000000000000";
export const DEFAULT_TENANT = "default_tenant";
export const DEFAULT_DATABASE = "default_database";

/** Advice for a damaged database file; shared by every place that detects one. */
export const CORRUPT_ADVICE =
  "Stop every process using it, then restore it from a backup; or run `sqlite3 <file> .recover | sqlite3 <new file>` " +
  "and open the recovered copy. The index/ folder beside it is a cache and is rebuilt automatically.";

/** What to tell the caller for each family of SQLite result codes (matched by prefix). */
const ADVICE: readonly [prefix: string, problem: string][] = [
  ["SQLITE_FULL", "the disk is full. Free some space and retry; nothing of the failed call was written."],
  ["SQLITE_READONLY", "the database is read-only (file permissions, or a read-only mount)."],
  ["SQLITE_PERM", "permission denied."],
  ["SQLITE_CANTOPEN", "the file cannot be opened: check that the folder exists and is writable."],
  [
    "SQLITE_IOERR",
    "an I/O error occurred (disk, network file system or permissions); nothing of the failed call was written.",
  ],
];

/** Pages of WAL after which a commit copies the WAL back into the database (SQLite's default, made explicit). */
const WAL_AUTOCHECKPOINT_PAGES = 1000;
/** The WAL file is truncated to at most this size whenever it is reset (it never shrinks otherwise). */
const WAL_SIZE_LIMIT_BYTES = 64 * 1024 * 1024;

/**
 * Converts a SQLite error into a Cairn error with a code and recovery advice. Non-SQLite errors pass through.
 */
export function toStorageError(error: unknown, file: string | null): unknown {
  const code = (error as { code?: unknown })?.code;
  if (typeof code !== "string" || !code.startsWith("SQLITE_")) return error;
  const where = file ?? "(in-memory database)";
  const message = (error as Error).message;
  const options = { cause: error, details: { file, sqliteCode: code } };
  if (code.startsWith("SQLITE_CORRUPT") || code === "SQLITE_NOTADB") {
    return new StorageError(
      "STORAGE_CORRUPT",
      `The database file ${where} is damaged (${code}: ${message}). ${CORRUPT_ADVICE}`,
      options,
    );
  }
  if (code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED")) {
    return new StorageError(
      "STORAGE_BUSY",
      `The database ${where} stayed locked by another writer longer than the busy timeout (${code}). Retry, or raise busyTimeoutMs.`,
      options,
    );
  }
  if (code === "SQLITE_TOOBIG") {
    return createError(
      "PAYLOAD_TOO_LARGE",
      `A value is larger than SQLite can store in ${where} (${message}); split it.`,
      options,
    );
  }
  const advice = ADVICE.find(([prefix]) => code.startsWith(prefix))?.[1];
  return new StorageError(
    "STORAGE_ERROR",
    `SQLite failed on ${where}: ${advice ?? message} (${code}: ${message})`,
    options,
  );
}

/** Creates the default tenant and database when they are missing (after migrations and after a reset). */
export function ensureDefaultNamespace(db: Db): void {
  db.prepare("INSERT OR IGNORE INTO tenants (name) VALUES (?)").run(DEFAULT_TENANT);
  db.prepare("INSERT OR IGNORE INTO databases (id, tenant, name) VALUES (?, ?, ?)").run(
    DEFAULT_DATABASE_ID,
    DEFAULT_TENANT,
    DEFAULT_DATABASE,
  );
}

/**
 * Refuses a database written by a newer Cairn (its `user_version` is above {@link SCHEMA_VERSION}). Runs
 * before any pragma or migration touches the file, so a refused database is left byte for byte as it was.
 * @throws StorageError `STORAGE_TOO_NEW`.
 */
export function refuseNewerSchema(db: Db, file: string | null): void {
  const version = db.pragma("user_version", { simple: true }) as number;
  if (version > SCHEMA_VERSION) {
    throw new StorageError(
      "STORAGE_TOO_NEW",
      `The database ${file ?? "(memory)"} has format version ${version}, newer than this Cairn understands (${SCHEMA_VERSION}); it was not modified. Upgrade @cairndb/core (and @cairndb/server) to the release that wrote it.`,
      { details: { file, version, supported: SCHEMA_VERSION } },
    );
  }
}

function migrate(db: Db, file: string | null): void {
  const run = db.transaction(() => {
    const version = db.pragma("user_version", { simple: true }) as number;
    refuseNewerSchema(db, file);
    for (let v = version; v < SCHEMA_VERSION; v++) db.exec(MIGRATIONS[v]!);
    if (version !== SCHEMA_VERSION) db.pragma(`user_version = ${SCHEMA_VERSION}`);
    ensureDefaultNamespace(db);
  });
  run.immediate();
}

/** Opens (creating if needed) and migrates a Cairn database. */
export function openDatabase(options: OpenDatabaseOptions): Db {
  let db: Db | undefined;
  try {
    db = new Database(options.file ?? ":memory:", { timeout: options.busyTimeoutMs });
    refuseNewerSchema(db, options.file);
    if (options.file) {
      db.pragma("journal_mode = WAL");
      db.pragma(`wal_autocheckpoint = ${WAL_AUTOCHECKPOINT_PAGES}`);
      db.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT_BYTES}`);
    }
    db.pragma(`synchronous = ${options.durability === "full" ? "FULL" : "NORMAL"}`);
    db.pragma("foreign_keys = ON");
    db.pragma("temp_store = MEMORY");
    db.pragma("cache_size = -32000");
    registerSqlFunctions(db);
    migrate(db, options.file);
    return db;
  } catch (error) {
    db?.close();
    throw toStorageError(error, options.file);
  }
}
