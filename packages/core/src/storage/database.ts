/**
 * Opening the SQLite database: pragmas, migrations, SQL functions, and the mapping of SQLite failures to
 * Cairn's typed storage errors.
 */
import Database from "better-sqlite3";
import { StorageError } from "../errors";
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

const CORRUPT_CODES = new Set(["SQLITE_CORRUPT", "SQLITE_NOTADB", "SQLITE_CORRUPT_INDEX", "SQLITE_CORRUPT_VTAB"]);
const BUSY_CODES = new Set(["SQLITE_BUSY", "SQLITE_BUSY_SNAPSHOT", "SQLITE_LOCKED", "SQLITE_BUSY_TIMEOUT"]);

/**
 * Converts a SQLite error into a Cairn error with a code and recovery advice. Non-SQLite errors pass through.
 */
export function toStorageError(error: unknown, file: string | null): unknown {
  const code = (error as { code?: unknown })?.code;
  if (typeof code !== "string" || !code.startsWith("SQLITE_")) return error;
  const where = file ?? "(in-memory database)";
  if (CORRUPT_CODES.has(code)) {
    return new StorageError(
      "STORAGE_CORRUPT",
      `The database file ${where} is damaged (${code}: ${(error as Error).message}). ` +
        "Stop every process using it, then restore it from a backup; or run `sqlite3 <file> .recover | sqlite3 <new file>` " +
        "and open the recovered copy. The index/ folder beside it is a cache and is rebuilt automatically.",
      { cause: error, details: { file, sqliteCode: code } },
    );
  }
  if (BUSY_CODES.has(code)) {
    return new StorageError(
      "STORAGE_BUSY",
      `The database ${where} stayed locked by another writer longer than the busy timeout (${code}). Retry, or raise busyTimeoutMs.`,
      { cause: error, details: { file, sqliteCode: code } },
    );
  }
  return new StorageError("STORAGE_ERROR", `SQLite failed on ${where}: ${(error as Error).message} (${code})`, {
    cause: error,
    details: { file, sqliteCode: code },
  });
}

function migrate(db: Db, file: string | null): void {
  const run = db.transaction(() => {
    const version = db.pragma("user_version", { simple: true }) as number;
    if (version > SCHEMA_VERSION) {
      throw new StorageError(
        "STORAGE_ERROR",
        `The database ${file ?? "(memory)"} has schema version ${version}, newer than this Cairn understands (${SCHEMA_VERSION}). Upgrade @cairndb/core.`,
        { details: { file, version } },
      );
    }
    for (let v = version; v < SCHEMA_VERSION; v++) db.exec(MIGRATIONS[v]!);
    if (version !== SCHEMA_VERSION) db.pragma(`user_version = ${SCHEMA_VERSION}`);
    db.prepare("INSERT OR IGNORE INTO tenants (name) VALUES (?)").run(DEFAULT_TENANT);
    db.prepare("INSERT OR IGNORE INTO databases (id, tenant, name) VALUES (?, ?, ?)").run(
      DEFAULT_DATABASE_ID,
      DEFAULT_TENANT,
      DEFAULT_DATABASE,
    );
  });
  run.immediate();
}

/** Opens (creating if needed) and migrates a Cairn database. */
export function openDatabase(options: OpenDatabaseOptions): Db {
  let db: Db | undefined;
  try {
    db = new Database(options.file ?? ":memory:", { timeout: options.busyTimeoutMs });
    if (options.file) db.pragma("journal_mode = WAL");
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
