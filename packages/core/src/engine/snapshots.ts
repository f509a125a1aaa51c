/**
 * Index snapshot files on disk, one folder per collection:
 *
 *     <path>/index/<collection-id>/snap-<seq>-<nonce>/   written into tmp-snap-…, then renamed into place
 *     <path>/index/<collection-id>/CURRENT               names the newest snapshot (for people; not trusted)
 *
 * Rules that make this safe with many processes and crashes:
 * - A snapshot is written into a fresh temporary folder and published by one rename; it is never modified
 *   afterwards, so a reader sees a complete folder or none (and the index checks sizes and checksums before
 *   native code reads a byte).
 * - SQLite's `index_snapshots` table lists the folders the database vouches for. Only those are loaded: a
 *   folder written after the backup a database was restored from, or left by a crashed writer between the
 *   rename and the registration, is ignored.
 * - One process at a time writes a collection's snapshot: the writer holds the `snapshot:<id>` lease (see
 *   `lease.ts`); the others skip (their changes are in SQLite, and the holder's snapshot covers most of them).
 * - Tombstones are pruned one snapshot behind: up to the watermark of the previous registered snapshot, so a
 *   process whose index lags a little catches up by sequence number instead of reloading the whole index.
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { replaceFileDurably } from "../internal";
import { type Db, pruneTombstones, registeredSnapshots, registerSnapshot } from "../storage";
import { holdsLease, releaseLease, tryAcquireLease } from "./lease";
import type { Transactions } from "./transactor";

/** How many registered snapshots a collection keeps (another process may still be loading the previous one). */
export const KEEP_SNAPSHOTS = 2;

/** The snapshot folder of a collection. */
export function collectionIndexDir(root: string, collectionId: string): string {
  return join(root, "index", collectionId);
}

/** What {@link writeSnapshot} did: wrote one, found a newer one registered, or left it to the lease holder. */
export type SnapshotOutcome = "written" | "covered" | "busy";

/** How far {@link writeSnapshot} prunes tombstones: one snapshot behind (normal) or up to this one (vacuum). */
export type PruneMode = "previous" | "this";

/** Writes a snapshot through `save(tmpDir)` and publishes it by rename; returns the folder name. */
function publishFolder(dir: string, seq: number, save: (target: string) => void): string {
  mkdirSync(dir, { recursive: true });
  const name = `snap-${String(seq).padStart(12, "0")}-${randomBytes(4).toString("hex")}`;
  const tmp = join(dir, `tmp-${name}`);
  mkdirSync(tmp);
  try {
    save(tmp);
    renameSync(tmp, join(dir, name));
  } catch (error) {
    rmSync(tmp, { recursive: true, force: true });
    throw error;
  }
  // Durable before it is registered: a pointer lost in a power cut would name no folder after restart.
  replaceFileDurably(join(dir, "CURRENT"), name);
  return name;
}

/**
 * Writes, publishes and registers a snapshot of a collection's index at `watermark`, under the collection's
 * snapshot lease, then prunes tombstones and removes folders the database no longer vouches for.
 * @param save writes the index into an empty folder.
 * @throws whatever `save` or the file system throws (the caller logs it: a failed snapshot costs replay time).
 */
export function writeSnapshot(
  db: Db,
  tx: Transactions,
  root: string,
  collectionId: string,
  watermark: number,
  save: (target: string) => void,
  prune: PruneMode = "previous",
): SnapshotOutcome {
  const newest = registeredSnapshots(db, collectionId)[0];
  if (newest && newest.watermark > watermark) return "covered";
  const lease = `snapshot:${collectionId}`;
  if (!tryAcquireLease(tx, db, lease)) return "busy";
  try {
    const dir = collectionIndexDir(root, collectionId);
    const name = publishFolder(dir, watermark, save);
    const { owned, keep } = tx.write(() => {
      registerSnapshot(db, collectionId, { name, watermark }, KEEP_SNAPSHOTS);
      const registered = registeredSnapshots(db, collectionId);
      const horizon = prune === "this" ? watermark : registered[1]?.watermark;
      if (horizon !== undefined) pruneTombstones(db, collectionId, horizon);
      return { owned: holdsLease(db, lease), keep: new Set(registered.map((r) => r.name)) };
    });
    // Only the lease holder may delete: nobody else is publishing into this folder meanwhile.
    if (owned) removeUnregistered(dir, keep);
    return "written";
  } finally {
    releaseQuietly(tx, db, lease);
  }
}

function releaseQuietly(tx: Transactions, db: Db, lease: string): void {
  try {
    releaseLease(tx, db, lease);
  } catch {
    // The lease expires by itself.
  }
}

/** Removes snapshot folders the database does not vouch for, and leftovers of interrupted writers. */
function removeUnregistered(dir: string, keep: ReadonlySet<string>): void {
  for (const name of readdirSync(dir)) {
    const stale =
      (name.startsWith("snap-") && !keep.has(name)) || name.startsWith("tmp-") || name.startsWith("CURRENT.");
    if (stale) rmSync(join(dir, name), { recursive: true, force: true });
  }
}

/** The snapshot folders to try when opening a collection's index, and whether any was expected to load. */
export interface SnapshotCandidates {
  /** Registered folders, newest first (a folder may turn out missing or damaged: the loader checks). */
  dirs: string[];
  /** True when a snapshot is registered or any snapshot folder exists: failing to load one deserves a warning. */
  expected: boolean;
}

/** Candidate snapshot folders of a collection. Call inside the read transaction that catches the index up. */
export function snapshotCandidates(db: Db, root: string, collectionId: string): SnapshotCandidates {
  const dir = collectionIndexDir(root, collectionId);
  const registered = registeredSnapshots(db, collectionId);
  let onDisk = false;
  try {
    onDisk = existsSync(dir) && readdirSync(dir).some((name) => name.startsWith("snap-"));
  } catch {
    onDisk = true; // An unreadable folder is worth a warning.
  }
  return { dirs: registered.map((row) => join(dir, row.name)), expected: registered.length > 0 || onDisk };
}

/** Removes every snapshot of a collection (after the collection is deleted). */
export function removeCollectionSnapshots(root: string, collectionId: string): void {
  rmSync(collectionIndexDir(root, collectionId), { recursive: true, force: true });
}
