/**
 * Online backup of a database folder into a backup folder:
 *
 *     <to>/manifest.json                 written last (see manifest.ts)
 *     <to>/cairn.sqlite3                 the database at one write sequence number (one self-contained file)
 *     <to>/index/<collection>/<snap>/    the newest index snapshot of each collection, when there is one
 *
 * How it stays consistent while other processes write:
 * - The database is copied with `VACUUM INTO`, which reads it in one read transaction: the copy is the
 *   database at exactly one commit, whatever is written meanwhile (WAL readers never block writers, and
 *   writers never restart the copy, unlike SQLite's page-by-page backup API under a steady write load).
 * - Index snapshots are immutable once published, and the copy's `index_snapshots` table lists those that
 *   were registered at that commit: their watermarks are at or below the copy's sequence, so on open they
 *   load and catch up from the copied records. A snapshot deleted by a newer one before it could be copied
 *   is dropped from the copy's list (the index is then rebuilt from the records on first use).
 * - The work happens in a hidden temporary folder beside `<to>`, renamed to `<to>` once the manifest is
 *   written and everything is fsynced: a crash leaves a folder that neither looks complete nor restores.
 */
import { cpSync, existsSync, mkdirSync, renameSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { createError } from "../errors";
import { DATABASE_FILE } from "../engine/engine";
import { openDatabaseFolder } from "../engine/open";
import { collectionIndexDir } from "../engine/snapshots";
import { fsyncDir, writeFileDurably } from "../internal";
import {
  allRegisteredSnapshots,
  clearLeases,
  collectionSummaries,
  currentSeq,
  type Db,
  forgetSnapshot,
  openDatabase,
  schemaVersionOf,
  toStorageError,
  useRollbackJournal,
  vacuumInto,
} from "../storage";
import type { Logger } from "../types";
import { CAIRN_VERSION } from "../version";
import { fsyncFile, hashFile, listFiles, siblingTempPath } from "./files";
import {
  BACKUP_FORMAT,
  type BackupFile,
  type BackupManifest,
  type BackupSnapshot,
  MANIFEST_FILE,
} from "./manifest";
import {
  busyTimeoutOption,
  isMissingOrEmpty,
  loggerOption,
  pathOption,
  readOptions,
  requireDatabaseFolder,
} from "./options";

/**
 * Options of {@link backup}.
 * @example await backup({ path: "./cairn_db", to: "./backups/2026-12-02.cairn" })
 */
export interface BackupOptions {
  /** The database folder to back up (other processes may keep using it). */
  path: string;
  /** The backup folder to create; it must not exist yet (or be an empty folder). */
  to: string;
  /** Include the newest index snapshot of each collection (default true; false: rebuilt from records on first use). */
  includeIndex?: boolean;
  /** Where warnings go (e.g. a snapshot that could not be copied). */
  logger?: Logger;
  /** How long to wait for other processes' write locks when opening (default 30 000 ms). */
  busyTimeoutMs?: number;
}

/** What {@link backup} wrote. */
export interface BackupResult {
  /** The backup folder (absolute). */
  to: string;
  /** The manifest written into it. */
  manifest: BackupManifest;
  /** Bytes of all files of the backup. */
  bytes: number;
  /** Wall time of the backup in milliseconds. */
  elapsedMs: number;
}

/**
 * Copies the newest registered snapshot of each collection that can be copied into `tmp`, and forgets the
 * others in the copy's registry. Returns the snapshots kept.
 */
function copySnapshots(
  copy: Db,
  source: string,
  tmp: string,
  include: boolean,
  logger: Logger,
): BackupSnapshot[] {
  const kept: BackupSnapshot[] = [];
  const done = new Set<string>();
  for (const snap of allRegisteredSnapshots(copy)) {
    if (!include || done.has(snap.collectionId)) {
      forgetSnapshot(copy, snap.collectionId, snap.name);
      continue;
    }
    const from = join(collectionIndexDir(source, snap.collectionId), snap.name);
    const to = join(collectionIndexDir(tmp, snap.collectionId), snap.name);
    try {
      mkdirSync(dirname(to), { recursive: true });
      cpSync(from, to, { recursive: true, errorOnExist: true, force: false });
      kept.push(snap);
      done.add(snap.collectionId);
    } catch (error) {
      // Superseded and removed meanwhile (or unreadable): the copy rebuilds this index from its records.
      rmSync(to, { recursive: true, force: true });
      forgetSnapshot(copy, snap.collectionId, snap.name);
      logger.warn(`index snapshot ${snap.name} could not be copied; the restored index will be rebuilt`, {
        collection: snap.collectionId,
        error: String(error),
      });
    }
  }
  return kept;
}

/** Copies the database into `tmp` at one sequence number and fills in the manifest's content. */
function copyDatabase(
  source: Db,
  path: string,
  tmp: string,
  include: boolean,
  logger: Logger,
): Omit<BackupManifest, "files" | "createdAt"> {
  const file = join(tmp, DATABASE_FILE);
  try {
    vacuumInto(source, file);
  } catch (error) {
    throw toStorageError(error, join(path, DATABASE_FILE));
  }
  const copy = openDatabase({ file, busyTimeoutMs: 0, durability: "full" });
  try {
    const summary = copy
      .transaction(() => {
        clearLeases(copy);
        const indexSnapshots = copySnapshots(copy, path, tmp, include, logger);
        return {
          sequence: currentSeq(copy),
          schemaVersion: schemaVersionOf(copy),
          collections: collectionSummaries(copy),
          indexSnapshots,
        };
      })
      .immediate();
    useRollbackJournal(copy);
    return { format: BACKUP_FORMAT, cairnVersion: CAIRN_VERSION, ...summary };
  } finally {
    copy.close();
  }
}

/** Checksums and fsyncs every file of the backup folder. */
function describeFiles(tmp: string): BackupFile[] {
  return listFiles(tmp).map((path) => {
    const full = join(tmp, ...path.split("/"));
    fsyncFile(full);
    return { path, ...hashFile(full) };
  });
}

/**
 * Backs up a database folder while other processes keep reading and writing it. The backup is a folder with
 * the database at one write sequence number, the newest index snapshot of each collection (so a restored
 * database answers at once instead of rebuilding its indexes), and a `manifest.json` with the format and
 * Cairn version, every collection with its record count, the sequence number and the SHA-256 of every file.
 *
 * Written into a hidden temporary folder beside `to` and renamed into place at the end: a backup that was
 * interrupted (crash, full disk) never looks complete, and {@link restore} refuses it. Needs free space of
 * about the database's size (deleted records' space is not copied).
 * @throws InvalidArgumentError when `path` holds no Cairn database; ConflictError `DESTINATION_EXISTS` when
 *   `to` exists and is not an empty folder; StorageError when reading or writing fails.
 * @example
 * const { manifest } = await backup({ path: "./cairn_db", to: "./backups/2026-12-02.cairn" });
 * console.log(`backed up at sequence ${manifest.sequence}`);
 */
export async function backup(options: BackupOptions): Promise<BackupResult> {
  const opts = readOptions(options, "backup", ["path", "to", "includeIndex", "logger", "busyTimeoutMs"]);
  const path = pathOption(opts.path, "path", "the database folder to back up");
  const to = pathOption(opts.to, "to", "the backup folder to create");
  const busyTimeoutMs = busyTimeoutOption(opts.busyTimeoutMs);
  const logger = loggerOption(opts.logger);
  const include = opts.includeIndex === undefined ? true : opts.includeIndex === true;
  requireDatabaseFolder(path);
  if (!isMissingOrEmpty(to)) {
    throw createError("DESTINATION_EXISTS", `to: ${to} already exists; choose a new backup name.`, {
      details: { to },
    });
  }
  const started = performance.now();
  mkdirSync(dirname(to), { recursive: true });
  const tmp = siblingTempPath(to, "partial");
  mkdirSync(tmp);
  const source = openDatabaseFolder(path, join(path, DATABASE_FILE), { busyTimeoutMs, durability: "normal" });
  try {
    const content = copyDatabase(source, path, tmp, include, logger);
    const files = describeFiles(tmp);
    const manifest: BackupManifest = { ...content, createdAt: new Date().toISOString(), files };
    writeFileDurably(join(tmp, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
    fsyncDir(tmp);
    if (existsSync(to)) rmSync(to, { recursive: true }); // the empty folder checked above
    renameSync(tmp, to);
    fsyncDir(dirname(to));
    const bytes = files.reduce((sum, f) => sum + f.bytes, 0);
    return { to, manifest, bytes, elapsedMs: performance.now() - started };
  } catch (error) {
    rmSync(tmp, { recursive: true, force: true });
    throw error;
  } finally {
    source.close();
  }
}
