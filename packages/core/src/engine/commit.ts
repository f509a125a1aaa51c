/**
 * What happens after a write committed: the process's index takes the change, and the WAL is kept small.
 * Nothing here may throw — the write is durable already, so a failure must not tell the caller that it failed.
 *
 * Why the WAL needs help: SQLite checkpoints it every ~1,000 pages, but it can only start writing it from the
 * beginning again once no reader uses it. With several processes reading all the time that moment rarely comes
 * and the file grows (measured: 29 MiB with 4 writers and a reader). So a writer that finds it larger than
 * 16 MiB waits briefly for readers to move on and truncates it.
 */
import { statSync } from "node:fs";
import * as store from "../storage";
import type { Logger } from "../types";
import type { CollectionInfo, IndexManager } from "./index-manager";
import type { VectorChanges } from "./types";

/** Writes of at least this many records are followed by a WAL checkpoint (one big import, no huge WAL). */
export const CHECKPOINT_AFTER_RECORDS = 10_000;
/** A WAL file larger than this is checkpointed and truncated after the next commit. */
export const WAL_TRUNCATE_BYTES = 16 * 1024 * 1024;
/** How long a truncating checkpoint waits for other connections' reads and writes. */
const TRUNCATE_WAIT_MS = 200;

/** What {@link afterCommit} works with. */
export interface CommitContext {
  indexes: IndexManager;
  logger: Logger;
  db: store.Db;
  /** The database file, or null in memory (no WAL). */
  file: string | null;
}

/**
 * Applies a committed write to the process's index (a no-op when another write came in between: the index
 * then catches up from SQLite on its next use). An index that cannot take the change is dropped and rebuilt
 * from SQLite on its next use. Never throws.
 */
export function afterCommit(
  ctx: CommitContext,
  collection: CollectionInfo,
  changes: VectorChanges,
  records: number,
): void {
  try {
    ctx.indexes.applyCommitted(collection, changes);
  } catch (error) {
    ctx.indexes.drop(collection.id);
    ctx.logger.warn(
      `index of collection '${collection.name}' could not apply a write; it is rebuilt on next use`,
      {
        collection: collection.id,
        error: String(error),
      },
    );
  }
  if (ctx.file) boundWal(ctx.db, ctx.file, records);
}

function boundWal(db: store.Db, file: string, records: number): void {
  try {
    // stat only: opening and closing the file from JavaScript would drop SQLite's locks of this process.
    const walBytes = statSync(`${file}-wal`).size;
    if (walBytes > WAL_TRUNCATE_BYTES) store.checkpoint(db, "TRUNCATE", TRUNCATE_WAIT_MS);
    else if (records >= CHECKPOINT_AFTER_RECORDS) store.checkpoint(db, "PASSIVE");
  } catch {
    // No WAL yet, or busy: the next commit or the automatic checkpoint does it.
  }
}
