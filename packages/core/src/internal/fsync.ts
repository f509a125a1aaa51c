/**
 * Durable file writes: fsync of files and folders, and the write-temp-then-rename replacement that leaves
 * either the old or the new content at a path after a crash, never a torn file.
 */
import { randomBytes } from "node:crypto";
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import { dirname } from "node:path";

/** Suffix of the temporary files {@link replaceFileDurably} writes (callers sweep leftovers by it). */
export const TEMP_SUFFIX = ".tmp";

/**
 * Makes the renames and creations inside `dir` durable. Best effort: not every platform can fsync a folder
 * (Windows cannot), and callers use it as an extra guarantee, not for correctness.
 */
export function fsyncDir(dir: string): void {
  try {
    const fd = openSync(dir, "r");
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Best effort by design (see above).
  }
}

/** Writes `data` to `path` (created or truncated) and fsyncs the file before returning. */
export function writeFileDurably(path: string, data: string | Uint8Array): void {
  const bytes = typeof data === "string" ? Buffer.from(data) : data;
  const fd = openSync(path, "w");
  try {
    let offset = 0;
    while (offset < bytes.length) offset += writeSync(fd, bytes, offset);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Replaces the file at `path` atomically and durably: writes `data` to a fresh temporary file beside it
 * (`<path>.<random>.tmp`), fsyncs it, renames it over `path` and fsyncs the folder. A crash leaves the old
 * content or the new one, plus at most a temporary file; a failed write removes its temporary file.
 */
export function replaceFileDurably(path: string, data: string | Uint8Array): void {
  const tmp = `${path}.${randomBytes(4).toString("hex")}${TEMP_SUFFIX}`;
  try {
    writeFileDurably(tmp, data);
    renameSync(tmp, path);
  } catch (error) {
    rmSync(tmp, { force: true });
    throw error;
  }
  fsyncDir(dirname(path));
}
