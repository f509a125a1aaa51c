/**
 * Restoring a backup folder (see `backup.ts`) into a database folder. Everything is checked before the
 * destination is touched: the manifest must be complete, every file is copied into a hidden temporary folder
 * beside the destination and verified there against its SHA-256 (which proves both the backup and the copy),
 * and the copied database must open, pass SQLite's structural check and hold exactly the sequence number and
 * record counts the manifest lists. Only then is the folder renamed into place.
 */
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { createError } from "../errors";
import { DATABASE_FILE } from "../engine/engine";
import { fsyncDir } from "../internal";
import { collectionSummaries, currentSeq, integrityCheck, openDatabase, toStorageError } from "../storage";
import { copyFileDurably, hashFile, siblingTempPath } from "./files";
import { type BackupManifest, readManifest } from "./manifest";
import { busyTimeoutOption, flagOption, isMissingOrEmpty, pathOption, readOptions } from "./options";

/**
 * Options of {@link restore}.
 * @example await restore({ from: "./backups/2026-12-02.cairn", path: "./restored_db" })
 */
export interface RestoreOptions {
  /** The backup folder (written by {@link backup}). */
  from: string;
  /** The database folder to create. */
  path: string;
  /**
   * Replace an existing database folder (default false: a non-empty `path` is refused). Only a folder that
   * holds nothing but a Cairn database is replaced; stop every process using it first.
   */
  force?: boolean;
  /** How long to wait for locks while verifying the copy (default 30 000 ms). */
  busyTimeoutMs?: number;
}

/** What {@link restore} did. */
export interface RestoreResult {
  /** The restored database folder (absolute). */
  path: string;
  /** The backup's manifest (sequence, collections and counts the restored database holds). */
  manifest: BackupManifest;
  /** Whether an existing database folder was replaced. */
  replaced: boolean;
  /** Bytes restored. */
  bytes: number;
}

/** Names a Cairn database folder may hold (the database, its WAL and shared memory, snapshots). */
const DATABASE_ENTRY = /^(cairn\.sqlite3(-wal|-shm|-journal)?|index)$/;

function invalid(from: string, problem: string, details: Record<string, unknown> = {}) {
  return createError("BACKUP_INVALID", `The backup ${from} ${problem}`, { details: { from, ...details } });
}

/** Refuses a destination that is not empty, unless `force` and it holds only a Cairn database. */
function checkDestination(path: string, force: boolean): boolean {
  if (isMissingOrEmpty(path)) return false;
  if (!statSync(path).isDirectory()) {
    throw createError("DESTINATION_EXISTS", `path: ${path} exists and is not a folder.`, {
      details: { path },
    });
  }
  const entries = readdirSync(path);
  if (!force) {
    throw createError(
      "DESTINATION_EXISTS",
      `path: ${path} is not empty (${entries.length} entries). Restore into a new folder, or pass force (--force) to replace the database in it.`,
      { details: { path } },
    );
  }
  const foreign = entries.filter((name) => !DATABASE_ENTRY.test(name));
  if (foreign.length > 0 || !entries.includes(DATABASE_FILE)) {
    throw createError(
      "DESTINATION_EXISTS",
      `path: ${path} holds more than a Cairn database (${(foreign.length > 0 ? foreign : entries).slice(0, 5).join(", ")}); force only replaces a database folder. Restore into a new folder.`,
      { details: { path, foreign } },
    );
  }
  return true;
}

/** Copies every file of the manifest into `tmp` and verifies each copy's checksum. */
function copyVerified(from: string, tmp: string, manifest: BackupManifest): number {
  let bytes = 0;
  for (const file of manifest.files) {
    const parts = file.path.split("/");
    const target = join(tmp, ...parts);
    copyFileDurably(join(from, ...parts), target);
    const copied = hashFile(target);
    if (copied.sha256 !== file.sha256 || copied.bytes !== file.bytes) {
      throw invalid(
        from,
        `is damaged: ${file.path} does not match its checksum in the manifest. Use another backup.`,
        {
          file: file.path,
        },
      );
    }
    bytes += copied.bytes;
  }
  return bytes;
}

/** Opens the copied database and checks it holds what the manifest says. */
function verifyDatabase(from: string, tmp: string, manifest: BackupManifest, busyTimeoutMs: number): void {
  const file = join(tmp, DATABASE_FILE);
  const db = openDatabase({ file, busyTimeoutMs, durability: "full" });
  try {
    const problems = integrityCheck(db, 5);
    if (problems.length > 0)
      throw invalid(from, `holds a damaged database (${problems.join("; ")}). Use another backup.`);
    const { sequence, counts } = db.transaction(() => ({
      sequence: currentSeq(db),
      counts: new Map(collectionSummaries(db).map((c) => [c.id, c.count])),
    }))();
    const wrong = manifest.collections.filter((c) => counts.get(c.id) !== c.count);
    if (sequence !== manifest.sequence || wrong.length > 0 || counts.size !== manifest.collections.length) {
      throw invalid(
        from,
        `does not hold what its manifest lists (sequence ${sequence} vs ${manifest.sequence}; ${wrong.length} collection count(s) differ). Use another backup.`,
      );
    }
  } catch (error) {
    throw toStorageError(error, file);
  } finally {
    db.close();
  }
}

/**
 * Restores a backup into a database folder. The restored database holds exactly what the source held at the
 * backup's sequence number: every collection, record, vector, document and metadata value, with the index
 * snapshots that were included (an index without one is rebuilt from the records on first use).
 *
 * The backup is verified first (a complete manifest, every file present with its SHA-256, the database sound
 * and holding the listed sequence and counts); nothing is written at `path` unless all of it passes. A
 * non-empty `path` is refused unless `force`, and even then only a folder holding just a Cairn database is
 * replaced (the old one is removed after the new one is in place).
 * @throws StorageError `BACKUP_INVALID` for an incomplete or damaged backup, `STORAGE_TOO_NEW` for a backup of
 *   a newer format; ConflictError `DESTINATION_EXISTS` for a non-empty `path`.
 * @example
 * const { manifest } = await restore({ from: "./backups/2026-12-02.cairn", path: "./restored_db" });
 */
export async function restore(options: RestoreOptions): Promise<RestoreResult> {
  const opts = readOptions(options, "restore", ["from", "path", "force", "busyTimeoutMs"]);
  const from = pathOption(opts.from, "from", "the backup folder");
  const path = pathOption(opts.path, "path", "the database folder to restore into");
  const force = flagOption(opts.force, "force");
  const busyTimeoutMs = busyTimeoutOption(opts.busyTimeoutMs);
  if (!existsSync(from)) throw invalid(from, "does not exist.");
  if (resolve(from) === resolve(path)) throw invalid(from, "cannot be restored onto itself.");
  const manifest = readManifest(from);
  const replaced = checkDestination(path, force);
  mkdirSync(dirname(path), { recursive: true });
  const tmp = siblingTempPath(path, "restoring");
  mkdirSync(tmp);
  let bytes: number;
  try {
    bytes = copyVerified(from, tmp, manifest);
    verifyDatabase(from, tmp, manifest, busyTimeoutMs);
    fsyncDir(tmp);
  } catch (error) {
    rmSync(tmp, { recursive: true, force: true });
    throw error;
  }
  if (replaced) {
    const old = siblingTempPath(path, "replaced");
    renameSync(path, old);
    renameSync(tmp, path);
    rmSync(old, { recursive: true, force: true });
  } else {
    if (existsSync(path)) rmSync(path, { recursive: true }); // an empty folder
    renameSync(tmp, path);
  }
  fsyncDir(dirname(path));
  return { path, manifest, replaced, bytes };
}
