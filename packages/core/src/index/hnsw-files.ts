/**
 * On-disk form of an HNSW index: hnswlib's own file plus a JSON sidecar that describes and checksums it.
 *
 * Crash safety: the data file gets a fresh name on every save and is fsynced before the sidecar that points
 * to it is renamed into place, so at every instant `hnsw.json` names a complete file (old or new).
 * Safety of the native reader: hnswlib checks the file's layout but not its content. Measured: a file whose
 * neighbour ids were overwritten loads fine and the next search dies with SIGSEGV. So nothing reaches it
 * before the sidecar, the size, the CRC-32 and the header fields have been checked here.
 */
import { randomBytes } from "node:crypto";
import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
} from "node:fs";
import { join } from "node:path";
import { crc32 } from "node:zlib";
import { StorageError } from "../errors";
import { replaceFileDurably, TEMP_SUFFIX as TMP_SUFFIX } from "../internal";
import type { Space } from "../types";
import type { HnswParams } from "./params";

/** Version tag of the sidecar; bump when the layout changes so old files are rebuilt, not misread. */
export const HNSW_FORMAT = "cairn-hnsw/1";
/** Sidecar file name inside the index directory. */
export const SIDECAR_NAME = "hnsw.json";
const DATA_NAME = /^hnsw-[0-9a-z]+\.bin$/;
const CHUNK = 1 << 22;
/** Bytes of hnswlib's fixed header (13 fields, see `HierarchicalNSW::saveIndex`). */
const HEADER_BYTES = 96;

/** The sidecar's content. */
export interface HnswSidecar {
  format: typeof HNSW_FORMAT;
  space: Space;
  dimension: number;
  params: HnswParams;
  /** Data file name (relative to the directory). */
  file: string;
  /** Elements in the file, live and deleted (hnswlib's `cur_element_count`). */
  count: number;
  /** Labels marked deleted. hnswlib keeps the marks in its file but has no call to list them. */
  deleted: number[];
  bytes: number;
  crc32: number;
  /** Opaque number chosen by the caller (the engine's sequence watermark). */
  watermark: number;
}

/** Size and CRC-32 of a file, read in chunks; fsyncs it on the way when `sync` is set. */
function checksumFile(path: string, sync: boolean): { bytes: number; crc32: number } {
  const fd = openSync(path, sync ? "r+" : "r");
  try {
    const chunk = Buffer.allocUnsafe(CHUNK);
    let bytes = 0;
    let crc = 0;
    for (;;) {
      const read = readSync(fd, chunk, 0, CHUNK, bytes);
      if (read === 0) break;
      crc = crc32(chunk.subarray(0, read), crc);
      bytes += read;
    }
    if (sync) fsyncSync(fd);
    return { bytes, crc32: crc };
  } finally {
    closeSync(fd);
  }
}

/**
 * Saves an index into `dir` (created if missing): `writeData(path)` must write hnswlib's file to `path`
 * (synchronously). The sidecar is written last; older data files and leftovers of interrupted saves are
 * removed afterwards.
 * @throws StorageError when a file cannot be written or the written data file looks incomplete.
 */
export function saveHnswFiles(
  dir: string,
  writeData: (path: string) => void,
  sidecar: Omit<HnswSidecar, "format" | "file" | "bytes" | "crc32">,
): HnswSidecar {
  const file = `hnsw-${Date.now().toString(36)}${randomBytes(4).toString("hex")}.bin`;
  const tmpData = join(dir, file + TMP_SUFFIX);
  try {
    mkdirSync(dir, { recursive: true });
    writeData(tmpData);
    const { bytes, crc32: crc } = checksumFile(tmpData, true);
    const full: HnswSidecar = { format: HNSW_FORMAT, ...sidecar, file, bytes, crc32: crc };
    // hnswlib's writer ignores stream errors (a full disk leaves a short file), so check what landed.
    if (!headerMatches(tmpData, full)) throw new Error("the data file written by hnswlib is incomplete");
    renameSync(tmpData, join(dir, file));
    replaceFileDurably(join(dir, SIDECAR_NAME), JSON.stringify(full));
    removeStale(dir, file);
    return full;
  } catch (error) {
    rmSync(tmpData, { force: true });
    throw new StorageError(
      "STORAGE_ERROR",
      `could not save the HNSW index in ${dir}: ${(error as Error).message}`,
      {
        cause: error,
        details: { dir },
      },
    );
  }
}

/** Removes data files other than `keep` and temporary files of interrupted saves. */
function removeStale(dir: string, keep: string): void {
  for (const name of readdirSync(dir)) {
    const stale =
      (DATA_NAME.test(name) && name !== keep) || (name.startsWith("hnsw") && name.endsWith(TMP_SUFFIX));
    if (stale) rmSync(join(dir, name), { force: true });
  }
}

const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;

function isParams(v: unknown): v is HnswParams {
  if (typeof v !== "object" || v === null) return false;
  const p = v as Record<string, unknown>;
  return (
    isCount(p.maxNeighbors) &&
    isCount(p.efConstruction) &&
    isCount(p.efSearch) &&
    isCount(p.seed) &&
    typeof p.resizeFactor === "number" &&
    p.resizeFactor > 1
  );
}

/** Parses and shape-checks a sidecar; `undefined` when it is not one of ours. */
function parseSidecar(text: string): HnswSidecar | undefined {
  const s = JSON.parse(text) as Record<string, unknown>;
  if (typeof s !== "object" || s === null || s.format !== HNSW_FORMAT) return undefined;
  const ok =
    (s.space === "l2" || s.space === "cosine" || s.space === "ip") &&
    isCount(s.dimension) &&
    isParams(s.params) &&
    typeof s.file === "string" &&
    DATA_NAME.test(s.file) &&
    isCount(s.count) &&
    Array.isArray(s.deleted) &&
    s.deleted.every(isCount) &&
    isCount(s.bytes) &&
    isCount(s.crc32) &&
    typeof s.watermark === "number";
  return ok ? (s as unknown as HnswSidecar) : undefined;
}

/**
 * Cross-checks hnswlib's header against the sidecar so that a file that is internally valid but belongs to
 * another index (or was written by another hnswlib layout) is rejected before the native reader sees it.
 */
function headerMatches(path: string, sidecar: HnswSidecar): boolean {
  if (sidecar.bytes < HEADER_BYTES) return false;
  const header = Buffer.alloc(HEADER_BYTES);
  const fd = openSync(path, "r");
  try {
    if (readSync(fd, header, 0, HEADER_BYTES, 0) !== HEADER_BYTES) return false;
  } finally {
    closeSync(fd);
  }
  const u64 = (offset: number) => Number(header.readBigUInt64LE(offset));
  const maxElements = u64(8);
  const count = u64(16);
  const sizePerElement = u64(24);
  const labelOffset = u64(32);
  const dataOffset = u64(40);
  const m = u64(72);
  const dataBytes = sidecar.dimension * 4;
  return (
    count === sidecar.count &&
    maxElements >= count &&
    dataOffset === u64(64) * 4 + 4 &&
    labelOffset - dataOffset === dataBytes &&
    sizePerElement === labelOffset + 8 &&
    m === sidecar.params.maxNeighbors &&
    u64(64) === 2 * m &&
    sidecar.bytes >= HEADER_BYTES + count * (sizePerElement + 4)
  );
}

/**
 * Reads and verifies the sidecar and data file of `dir`. Returns the sidecar and the data file's path when
 * everything matches `expected`, else `undefined`. Never throws.
 */
export function verifyHnswFiles(
  dir: string,
  expected: { space: Space; dimension: number },
): { sidecar: HnswSidecar; dataPath: string } | undefined {
  try {
    const sidecar = parseSidecar(readFileSync(join(dir, SIDECAR_NAME), "utf8"));
    if (!sidecar || sidecar.space !== expected.space || sidecar.dimension !== expected.dimension)
      return undefined;
    const dataPath = join(dir, sidecar.file);
    if (statSync(dataPath).size !== sidecar.bytes) return undefined;
    if (!headerMatches(dataPath, sidecar)) return undefined;
    const { bytes, crc32: crc } = checksumFile(dataPath, false);
    if (bytes !== sidecar.bytes || crc !== sidecar.crc32) return undefined;
    return { sidecar, dataPath };
  } catch {
    return undefined;
  }
}

/**
 * Calls `visit(label, vector)` for every element of a verified data file, straight from hnswlib's level-0
 * section (one sequential read; far cheaper than `getPoint`, which builds a JS array per vector). `vector`
 * is a scratch view, overwritten on the next call. Labels include deleted ones.
 */
export function readStoredVectors(
  dataPath: string,
  sidecar: HnswSidecar,
  visit: (label: number, vector: Float32Array) => void,
): void {
  const fd = openSync(dataPath, "r");
  try {
    const header = Buffer.alloc(HEADER_BYTES);
    readSync(fd, header, 0, HEADER_BYTES, 0);
    const sizePerElement = Number(header.readBigUInt64LE(24));
    const labelOffset = Number(header.readBigUInt64LE(32));
    const dataOffset = Number(header.readBigUInt64LE(40));
    const vector = new Float32Array(sidecar.dimension);
    // Buffer slices may be unaligned for a Float32Array view, so copy the bytes into an aligned one.
    const vectorBytes = new Uint8Array(vector.buffer);
    const perChunk = Math.max(1, Math.floor(CHUNK / sizePerElement));
    const chunk = Buffer.allocUnsafe(perChunk * sizePerElement);
    for (let first = 0; first < sidecar.count; first += perChunk) {
      const n = Math.min(perChunk, sidecar.count - first);
      if (
        readSync(fd, chunk, 0, n * sizePerElement, HEADER_BYTES + first * sizePerElement) !==
        n * sizePerElement
      ) {
        throw new Error(`short read in ${dataPath}`);
      }
      for (let i = 0; i < n; i++) {
        const base = i * sizePerElement;
        vectorBytes.set(chunk.subarray(base + dataOffset, base + labelOffset));
        visit(Number(chunk.readBigUInt64LE(base + labelOffset)), vector);
      }
    }
  } finally {
    closeSync(fd);
  }
}
