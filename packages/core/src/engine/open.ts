/**
 * Opening a database folder: create it if needed, refuse a database file that lost its content, and turn
 * every failure into a storage error (a permission problem or a file where a folder should be is not a
 * TypeError for the caller to decode).
 *
 * Only `stat` is used on the database file: opening and closing it from JavaScript would drop the POSIX locks
 * SQLite holds on it for other connections of this process.
 */
import { existsSync, mkdirSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { StorageError } from "../errors";
import { CORRUPT_ADVICE, type Db, openDatabase } from "../storage";

/** How to open the SQLite database. */
export interface OpenFolderOptions {
  busyTimeoutMs: number;
  durability: "normal" | "full";
}

/**
 * A zero-length database file is a new, empty database to SQLite. Beside index snapshots it is a database
 * that lost its content (truncated): refuse it rather than silently start over.
 */
function refuseTruncatedDatabase(path: string, file: string): void {
  try {
    if (statSync(file).size > 0) return;
    if (existsSync(`${file}-wal`) && statSync(`${file}-wal`).size > 0) return;
    const index = join(path, "index");
    if (!existsSync(index) || readdirSync(index).length === 0) return;
  } catch {
    return; // No file yet: a new database.
  }
  throw new StorageError(
    "STORAGE_CORRUPT",
    `The database file ${file} is empty although index snapshots exist beside it: it was probably truncated. ${CORRUPT_ADVICE}`,
    { details: { file } },
  );
}

/**
 * Opens (creating if needed) the database of a folder, or an in-memory one when `path` is null.
 * @throws StorageError `STORAGE_CORRUPT` for a damaged or truncated file, `STORAGE_ERROR` for anything else.
 */
export function openDatabaseFolder(path: string | null, file: string | null, options: OpenFolderOptions): Db {
  try {
    if (path && file) {
      mkdirSync(path, { recursive: true });
      refuseTruncatedDatabase(path, file);
    }
    return openDatabase({ file, busyTimeoutMs: options.busyTimeoutMs, durability: options.durability });
  } catch (error) {
    if (error instanceof StorageError) throw error;
    throw new StorageError(
      "STORAGE_ERROR",
      `Cannot open the database folder ${path}: ${(error as Error).message}`,
      {
        cause: error,
        details: { path },
      },
    );
  }
}
