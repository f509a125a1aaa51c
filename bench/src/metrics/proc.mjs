/**
 * Process and disk measurements from Linux /proc (null elsewhere): peak RSS, bytes written, folder sizes.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

function readProc(pid, file) {
  try {
    return readFileSync(`/proc/${pid}/${file}`, "utf8");
  } catch {
    return null;
  }
}

/** Peak resident set size of a process in bytes (VmHWM), or null. */
export function peakRssOf(pid) {
  const status = readProc(pid, "status");
  const match = status?.match(/^VmHWM:\s+(\d+)\s+kB$/m);
  return match ? Number(match[1]) * 1024 : null;
}

/** Peak RSS of this process in bytes. */
export const ownPeakRss = () => process.resourceUsage().maxRSS * 1024;

/**
 * I/O counters of a process: `writeBytes` (bytes this process caused to be written to storage: page-cache
 * pages it dirtied, fsync'd or not) and `wchar` (bytes passed to write syscalls), or null.
 */
export function ioOf(pid = process.pid) {
  const io = readProc(pid, "io");
  if (!io) return null;
  const field = (name) => Number(io.match(new RegExp(`^${name}: (\\d+)$`, "m"))?.[1] ?? Number.NaN);
  return { writeBytes: field("write_bytes"), wchar: field("wchar") };
}

/** Difference of two ioOf() readings. */
export function ioDelta(before, after) {
  if (!before || !after) return null;
  return { writeBytes: after.writeBytes - before.writeBytes, wchar: after.wchar - before.wchar };
}

/** Total apparent size in bytes of the files under a folder (0 when missing). */
export function folderBytes(dir) {
  let total = 0;
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) total += folderBytes(path);
    else if (entry.isFile()) {
      try {
        total += statSync(path).size;
      } catch {
        // Removed while we walked (a snapshot being replaced): not part of the total.
      }
    }
  }
  return total;
}

/** Size of the largest file under `dir` whose name matches `pattern` (0 when none). */
export function largestFileBytes(dir, pattern) {
  let largest = 0;
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) largest = Math.max(largest, largestFileBytes(path, pattern));
    else if (pattern.test(entry.name)) largest = Math.max(largest, statSync(path).size);
  }
  return largest;
}
