/**
 * The manifest of a backup folder (`manifest.json`), written last: a folder without one is an unfinished
 * backup. It names the format, the Cairn release and schema version that wrote the backup, the write sequence
 * number the copy is consistent at, every collection with its record count, the index snapshots included, and
 * the size and SHA-256 of every file.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { StorageError } from "../errors";
import { SCHEMA_VERSION } from "../storage/schema";
import { fileSize } from "./files";

/** The backup format this build writes and reads. */
export const BACKUP_FORMAT = "cairn-backup/1";
/** File name of the manifest inside a backup folder. */
export const MANIFEST_FILE = "manifest.json";

/** A collection in a backup. */
export interface BackupCollection {
  id: string;
  tenant: string;
  database: string;
  name: string;
  /** Vector dimension, or null while the collection has no records. */
  dimension: number | null;
  /** Records in the collection at the backup's sequence. */
  count: number;
}

/** A file of a backup, relative to the backup folder. */
export interface BackupFile {
  /** `/`-separated path inside the backup folder. */
  path: string;
  bytes: number;
  sha256: string;
}

/** An index snapshot included in a backup. */
export interface BackupSnapshot {
  collectionId: string;
  /** The snapshot folder's name (under `index/<collectionId>/`). */
  name: string;
  /** Every change with a sequence number at or below it is in the snapshot. */
  watermark: number;
}

/** The content of `manifest.json`. */
export interface BackupManifest {
  /** Always {@link BACKUP_FORMAT} for this build. */
  format: typeof BACKUP_FORMAT;
  /** The @cairndb/core release that wrote the backup. */
  cairnVersion: string;
  /** The database's format version (SQLite `user_version`). */
  schemaVersion: number;
  /** When the backup finished (ISO 8601). */
  createdAt: string;
  /** The write sequence number the copy is consistent at: every write up to it is in, none after it. */
  sequence: number;
  collections: BackupCollection[];
  indexSnapshots: BackupSnapshot[];
  files: BackupFile[];
}

function invalid(from: string, problem: string, details: Record<string, unknown> = {}): StorageError {
  return new StorageError("BACKUP_INVALID", `The backup ${from} ${problem}`, {
    details: { from, ...details },
  });
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === "object" && !Array.isArray(value);
const isCount = (value: unknown): value is number =>
  typeof value === "number" && Number.isSafeInteger(value) && value >= 0;

/**
 * Reads and validates the manifest of a backup folder, and checks that every file it lists is present with its
 * size (checksums are verified by the caller, on the copy it makes).
 * @throws StorageError `BACKUP_INVALID` for a missing, unreadable or incomplete manifest or a missing file;
 *   `STORAGE_TOO_NEW` for a backup of a newer format.
 */
export function readManifest(from: string): BackupManifest {
  let text: string;
  try {
    text = readFileSync(join(from, MANIFEST_FILE), "utf8");
  } catch {
    throw invalid(
      from,
      `has no ${MANIFEST_FILE}: it is not a Cairn backup, or the backup did not finish (a backup is complete only once its manifest is written). Take a new backup.`,
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw invalid(from, `has a damaged ${MANIFEST_FILE} (${(error as Error).message}).`);
  }
  if (!isObject(raw)) throw invalid(from, `has a damaged ${MANIFEST_FILE} (not an object).`);
  if (raw.format !== BACKUP_FORMAT) {
    throw invalid(
      from,
      `has format ${JSON.stringify(raw.format)}; this Cairn reads ${BACKUP_FORMAT}. Restore it with the release that wrote it (${String(raw.cairnVersion)}).`,
    );
  }
  if (!isCount(raw.schemaVersion) || !isCount(raw.sequence) || typeof raw.cairnVersion !== "string")
    throw invalid(from, `has an incomplete ${MANIFEST_FILE} (schemaVersion, sequence or cairnVersion).`);
  if (raw.schemaVersion > SCHEMA_VERSION) {
    throw new StorageError(
      "STORAGE_TOO_NEW",
      `The backup ${from} holds a database of format version ${raw.schemaVersion}, newer than this Cairn understands (${SCHEMA_VERSION}). Restore it with @cairndb/core ${raw.cairnVersion} or later.`,
      { details: { from, version: raw.schemaVersion, supported: SCHEMA_VERSION } },
    );
  }
  const files = raw.files;
  const collections = raw.collections;
  const snapshots = raw.indexSnapshots;
  if (!Array.isArray(files) || !Array.isArray(collections) || !Array.isArray(snapshots))
    throw invalid(from, `has an incomplete ${MANIFEST_FILE} (files, collections or indexSnapshots).`);
  for (const file of files) {
    if (
      !isObject(file) ||
      typeof file.path !== "string" ||
      !isCount(file.bytes) ||
      typeof file.sha256 !== "string" ||
      file.path.split("/").some((part) => part === ".." || part === "") ||
      file.path === MANIFEST_FILE
    )
      throw invalid(from, `lists a malformed file entry: ${JSON.stringify(file)}.`);
  }
  for (const c of collections) {
    if (!isObject(c) || typeof c.id !== "string" || typeof c.name !== "string" || !isCount(c.count))
      throw invalid(from, `lists a malformed collection entry: ${JSON.stringify(c)}.`);
  }
  const manifest = raw as unknown as BackupManifest;
  if (!manifest.files.some((f) => f.path === "cairn.sqlite3"))
    throw invalid(from, "lists no database file (cairn.sqlite3).");
  const missing = manifest.files.filter((f) => fileSize(join(from, ...f.path.split("/"))) !== f.bytes);
  if (missing.length > 0) {
    throw invalid(
      from,
      `is incomplete: ${missing.length} file(s) missing or of the wrong size (${missing
        .slice(0, 5)
        .map((f) => f.path)
        .join(", ")}). Use another backup.`,
      { files: missing.map((f) => f.path) },
    );
  }
  return manifest;
}
