/**
 * Reads the vectors of a Chroma persisted HNSW segment folder (hnswlib's `header.bin` + `data_level0.bin`, and
 * Chroma's `index_metadata.pickle` mapping record ids to hnswlib labels). Nothing is loaded into hnswlib: the
 * level-0 block stores every element's vector and label inline.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { StorageError } from "../../errors";
import { unpickle } from "./pickle";

/** The fixed fields of hnswlib's `header.bin` (little-endian). */
export interface HnswHeader {
  /** Chroma's persist format version (0 for upstream hnswlib's header without one). */
  version: number;
  offsetLevel0: number;
  maxElements: number;
  curElementCount: number;
  sizeDataPerElement: number;
  labelOffset: number;
  offsetData: number;
  maxLevel: number;
  enterPoint: number;
  maxM: number;
  maxM0: number;
  M: number;
  mult: number;
  efConstruction: number;
}

/** What a segment folder holds: vectors by record id, and the highest log sequence id they include. */
export interface HnswSegmentVectors {
  header: HnswHeader | null;
  vectors: Map<string, Float32Array>;
  /** The log position the segment was flushed at (`max_seq_id` of the pickle), or null when unknown. */
  maxSeqId: number | null;
}

const corrupt = (path: string, why: string) =>
  new StorageError(
    "STORAGE_CORRUPT",
    `${path}: ${why}. The Chroma directory is damaged or not a Chroma 0.4+ directory.`,
    {
      details: { path },
    },
  );

/**
 * Parses hnswlib's `header.bin`. Chroma's hnswlib fork (1.0) writes a 4-byte format version first (100 bytes in
 * all); upstream hnswlib's layout without it (96 bytes) is read too.
 */
export function readHnswHeader(path: string): HnswHeader {
  const b = readFileSync(path);
  if (b.length !== 100 && b.length !== 96)
    throw corrupt(path, `header is ${b.length} bytes, expected 100 (or 96)`);
  const base = b.length - 96;
  const u = (o: number) => Number(b.readBigUInt64LE(base + o));
  return {
    version: base === 4 ? b.readInt32LE(0) : 0,
    offsetLevel0: u(0),
    maxElements: u(8),
    curElementCount: u(16),
    sizeDataPerElement: u(24),
    labelOffset: u(32),
    offsetData: u(40),
    maxLevel: b.readInt32LE(base + 48),
    enterPoint: b.readInt32LE(base + 52),
    maxM: u(56),
    maxM0: u(64),
    M: u(72),
    mult: b.readDoubleLE(base + 80),
    efConstruction: u(88),
  };
}

/**
 * Reads every live vector of the segment folder `dir` of dimension `dimension`. A folder without files (a
 * segment never flushed) yields no vectors. Vectors are returned as hnswlib stores them: for the cosine space
 * Chroma inserts normalized vectors, which is also what Chroma itself returns.
 * @throws StorageError `STORAGE_CORRUPT` when the files disagree with each other or with the dimension
 */
export function readHnswSegment(dir: string, dimension: number): HnswSegmentVectors {
  const headerPath = join(dir, "header.bin");
  const picklePath = join(dir, "index_metadata.pickle");
  if (!existsSync(headerPath) || !existsSync(picklePath))
    return { header: null, vectors: new Map(), maxSeqId: null };
  const header = readHnswHeader(headerPath);
  const meta = unpickle(readFileSync(picklePath), picklePath) as {
    id_to_label?: Record<string, number>;
    max_seq_id?: number | null;
  };
  if (
    meta === null ||
    typeof meta !== "object" ||
    typeof meta.id_to_label !== "object" ||
    meta.id_to_label === null
  )
    throw corrupt(picklePath, "no id_to_label mapping");
  const dataPath = join(dir, "data_level0.bin");
  const data = readFileSync(dataPath);
  const { curElementCount: count, sizeDataPerElement: size, labelOffset, offsetData } = header;
  if (offsetData + dimension * 4 > labelOffset)
    throw corrupt(
      headerPath,
      `vector of dimension ${dimension} does not fit between offsets ${offsetData} and ${labelOffset}`,
    );
  if (data.length < count * size)
    throw corrupt(
      dataPath,
      `${data.length} bytes hold fewer than the header's ${count} elements of ${size} bytes`,
    );
  const slotOfLabel = new Map<number, number>();
  for (let i = 0; i < count; i++) slotOfLabel.set(Number(data.readBigUInt64LE(i * size + labelOffset)), i);
  const vectors = new Map<string, Float32Array>();
  for (const [id, label] of Object.entries(meta.id_to_label)) {
    const slot = slotOfLabel.get(label);
    if (slot === undefined)
      throw corrupt(dataPath, `record "${id}" maps to label ${label}, which is not in the index`);
    const start = slot * size + offsetData;
    const v = new Float32Array(dimension);
    for (let j = 0; j < dimension; j++) v[j] = data.readFloatLE(start + j * 4);
    vectors.set(id, v);
  }
  return { header, vectors, maxSeqId: typeof meta.max_seq_id === "number" ? meta.max_seq_id : null };
}
