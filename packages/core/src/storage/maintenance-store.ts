/**
 * Housekeeping rows and statements: the registry of index snapshots, leases (one process at a time does a
 * job), tombstone trimming, WAL checkpoints, FTS merging and integrity checks. Synchronous; the engine owns
 * transactions.
 */
import type { Db } from "./database";
import { stmt } from "./statements";

/** A registered index snapshot folder. */
export interface SnapshotRow {
  name: string;
  watermark: number;
}

/** The holder of a lease. */
export interface LeaseRow {
  owner: string;
  pid: number;
  host: string;
  expiresAt: number;
}

/** Snapshots the database vouches for, newest (highest watermark) first. */
export function registeredSnapshots(db: Db, collectionId: string): SnapshotRow[] {
  return stmt(
    db,
    "SELECT name, watermark FROM index_snapshots WHERE collection_id = ? ORDER BY watermark DESC, created_at DESC",
  ).all(collectionId) as SnapshotRow[];
}

/**
 * Registers a published snapshot and forgets all but the newest `keep` ones of the collection (another
 * process may still be loading the previous one). Returns the names that were forgotten. Call inside an
 * IMMEDIATE transaction.
 */
export function registerSnapshot(
  db: Db,
  collectionId: string,
  snapshot: SnapshotRow,
  keep: number,
): string[] {
  stmt(
    db,
    "INSERT OR REPLACE INTO index_snapshots (collection_id, name, watermark, created_at) VALUES (?, ?, ?, ?)",
  ).run(collectionId, snapshot.name, snapshot.watermark, Date.now());
  const stale = registeredSnapshots(db, collectionId)
    .slice(keep)
    .map((row) => row.name);
  if (stale.length > 0) {
    stmt(
      db,
      "DELETE FROM index_snapshots WHERE collection_id = ? AND name IN (SELECT value FROM json_each(?))",
    ).run(collectionId, JSON.stringify(stale));
  }
  return stale;
}

/** Forgets every snapshot of a collection (the collection is deleted). */
export function forgetSnapshots(db: Db, collectionId: string): void {
  stmt(db, "DELETE FROM index_snapshots WHERE collection_id = ?").run(collectionId);
  stmt(db, "DELETE FROM leases WHERE name = ?").run(`snapshot:${collectionId}`);
}

/** The current holder of a lease, if any row exists (it may be expired). */
export function findLease(db: Db, name: string): LeaseRow | undefined {
  return stmt(db, "SELECT owner, pid, host, expires_at AS expiresAt FROM leases WHERE name = ?").get(name) as
    | LeaseRow
    | undefined;
}

/** Takes or renews a lease. Call inside an IMMEDIATE transaction after checking {@link findLease}. */
export function writeLease(db: Db, name: string, holder: LeaseRow): void {
  stmt(db, "INSERT OR REPLACE INTO leases (name, owner, pid, host, expires_at) VALUES (?, ?, ?, ?, ?)").run(
    name,
    holder.owner,
    holder.pid,
    holder.host,
    holder.expiresAt,
  );
}

/** Releases a lease if `owner` still holds it. */
export function deleteLease(db: Db, name: string, owner: string): void {
  stmt(db, "DELETE FROM leases WHERE name = ? AND owner = ?").run(name, owner);
}

/**
 * Deletes a collection's tombstones below `seq` without moving its horizon. Only for a database no other
 * connection can see (in-memory): there, the one index has applied every earlier delete already.
 */
export function dropTombstonesBefore(db: Db, collectionId: string, seq: number): void {
  stmt(db, "DELETE FROM tombstones WHERE collection_id = ? AND seq < ?").run(collectionId, seq);
}

/** Number of tombstones of all collections (for vacuum's report). */
export function countTombstones(db: Db): number {
  return stmt(db, "SELECT count(*) FROM tombstones").pluck().get() as number;
}

/** Result of a WAL checkpoint: `busy` when readers kept it from finishing; frames in and copied from the WAL. */
export interface CheckpointResult {
  busy: boolean;
  logFrames: number;
  checkpointedFrames: number;
}

/**
 * Copies the WAL back into the database file. `PASSIVE` never waits; `TRUNCATE` waits for readers and
 * writers (up to `waitMs`, default the connection's busy timeout), then empties the WAL file, so the next
 * writer starts it afresh. Must not run inside a transaction.
 */
export function checkpoint(db: Db, mode: "PASSIVE" | "TRUNCATE", waitMs?: number): CheckpointResult {
  const previous = waitMs === undefined ? undefined : (db.pragma("busy_timeout", { simple: true }) as number);
  if (waitMs !== undefined) db.pragma(`busy_timeout = ${Math.max(0, Math.floor(waitMs))}`);
  try {
    const rows = db.pragma(`wal_checkpoint(${mode})`) as {
      busy: number;
      log: number;
      checkpointed: number;
    }[];
    const row = rows[0];
    return { busy: row?.busy === 1, logFrames: row?.log ?? 0, checkpointedFrames: row?.checkpointed ?? 0 };
  } finally {
    if (previous !== undefined) db.pragma(`busy_timeout = ${previous}`);
  }
}

/** Merges the full-text index's segments into one (after heavy churn); call inside a write transaction. */
export function optimizeFts(db: Db): void {
  db.prepare("INSERT INTO records_fts (records_fts) VALUES ('optimize')").run();
}

/** Rewrites the database file without free pages. Must not run inside a transaction. */
export function vacuumFile(db: Db): void {
  db.exec("VACUUM");
  db.pragma("optimize");
}

/**
 * SQLite's structural check of every page (`PRAGMA quick_check`): null when the file is sound, else the first
 * problems it reports. Reads the whole file: call only on a failure path.
 */
export function integrityProblems(db: Db): string | null {
  const rows = db.pragma("quick_check(5)") as { quick_check: string }[];
  const problems = rows.map((row) => row.quick_check).filter((text) => text !== "ok");
  return problems.length > 0 ? problems.join("; ") : null;
}
