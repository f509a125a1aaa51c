/**
 * Index snapshot files on disk, one folder per collection:
 *
 *     <path>/index/<collection-id>/CURRENT        names the live snapshot folder (replaced atomically)
 *     <path>/index/<collection-id>/snap-<seq>-<nonce>/   written by the index's save(), then renamed into place
 *
 * A snapshot is never modified after the rename, so a reader either sees a complete snapshot or none; the
 * index's own load() verifies sizes and checksums before native code reads a byte.
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** The snapshot folder of a collection. */
export function collectionIndexDir(root: string, collectionId: string): string {
  return join(root, "index", collectionId);
}

/** Writes a snapshot through `save(tmpDir)` and publishes it; returns the folder name. */
export function publishSnapshot(dir: string, seq: number, save: (target: string) => void): string {
  mkdirSync(dir, { recursive: true });
  const name = `snap-${String(seq).padStart(12, "0")}-${randomBytes(4).toString("hex")}`;
  const tmp = join(dir, `tmp-${name}`);
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp);
  try {
    save(tmp);
    renameSync(tmp, join(dir, name));
  } catch (error) {
    rmSync(tmp, { recursive: true, force: true });
    throw error;
  }
  const pointer = join(dir, `CURRENT.${process.pid}.tmp`);
  writeFileSync(pointer, name);
  renameSync(pointer, join(dir, "CURRENT"));
  removeOldSnapshots(dir, name);
  return name;
}

/** Candidate snapshot folders, newest first: the CURRENT one, then any others by sequence. */
export function snapshotCandidates(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const names = readdirSync(dir)
    .filter((n) => n.startsWith("snap-"))
    .sort()
    .reverse();
  let current: string | undefined;
  try {
    current = readFileSync(join(dir, "CURRENT"), "utf8").trim();
  } catch {
    current = undefined;
  }
  const ordered = current && names.includes(current) ? [current, ...names.filter((n) => n !== current)] : names;
  return ordered.map((n) => join(dir, n));
}

const STALE_TMP_MS = 10 * 60_000;

/**
 * Keeps the newest two snapshots (another process may still be reading the previous one) and removes
 * temporary files that crashed writers left behind (only old ones: a live writer may be using a fresh one).
 */
function removeOldSnapshots(dir: string, keep: string): void {
  const names = readdirSync(dir);
  const snaps = names.filter((n) => n.startsWith("snap-") && n !== keep).sort();
  for (const old of snaps.slice(0, Math.max(0, snaps.length - 1))) rmSync(join(dir, old), { recursive: true, force: true });
  const now = Date.now();
  for (const tmp of names.filter((n) => n.startsWith("tmp-") || n.startsWith("CURRENT."))) {
    try {
      if (now - statSync(join(dir, tmp)).mtimeMs > STALE_TMP_MS) rmSync(join(dir, tmp), { recursive: true, force: true });
    } catch {
      // Already gone: another process cleaned it.
    }
  }
}

/** Removes every snapshot of a collection (after the collection is deleted). */
export function removeCollectionSnapshots(root: string, collectionId: string): void {
  rmSync(collectionIndexDir(root, collectionId), { recursive: true, force: true });
}
