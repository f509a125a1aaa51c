/**
 * `estimate`: the disk, RAM and ingest time a collection of a given shape needs, from per-record constants
 * measured on the reference machine (see docs/operations-transfer.md, "Sizing", for the runs and the error
 * against real databases). Pure arithmetic: nothing is opened.
 */
import { invalidArgument } from "../errors";
import { describeValue, isPlainObject } from "../internal";
import { DEFAULT_HNSW } from "../types";

/**
 * The shape to size.
 * @example { records: 1_000_000, dimension: 768, metadataBytes: 200, documentBytes: 1000 }
 */
export interface EstimateInput {
  /** Number of records. */
  records: number;
  /** Vector dimension. */
  dimension: number;
  /** Average metadata per record, as JSON bytes (default 0: none). */
  metadataBytes?: number;
  /** Average metadata keys per record (default: one per 20 metadata bytes). */
  metadataKeys?: number;
  /** Average document per record, in UTF-8 bytes (default 0: none). */
  documentBytes?: number;
  /** Average id length in bytes (default 16). */
  idBytes?: number;
  /** HNSW graph degree, `max_neighbors` (default 16). */
  M?: number;
  /** HNSW `ef_construction` (default 100). */
  efConstruction?: number;
}

/** What `estimate` predicts. Bytes are bytes (not MiB); times are seconds on the reference machine. */
export interface EstimateResult {
  /** The input with its defaults filled in. */
  input: Required<EstimateInput>;
  /** SQLite database: records with their vectors, metadata rows and indexes, full-text index. */
  sqliteBytes: number;
  /** One HNSW snapshot file. */
  indexFileBytes: number;
  /** HNSW files on disk: the current snapshot and the previous one, kept for processes still reading it. */
  indexFilesBytes: number;
  /** The whole database folder. */
  diskBytes: number;
  /** Peak resident memory of a process that ingests the collection and serves queries. */
  ramBytes: number;
  /** Ingest time: batches of 1,000 records, each durable when its call returns, on one core. */
  ingestSeconds: number;
  /** Records per second over that ingest. */
  ingestRecordsPerSecond: number;
  /** The parts the totals are made of, in bytes per record (for the sizing table). */
  perRecord: {
    recordRow: number;
    metadataRows: number;
    fullText: number;
    hnswElement: number;
  };
}

/**
 * The measured constants. Disk and RAM: databases built by `bench/src/sizing.mjs`; ingest: the 100k × 384
 * run of `pnpm bench` (docs/benchmarks.md) for the vector part, sizing runs for the bytes part.
 */
export const ESTIMATE_CONSTANTS = Object.freeze({
  /** SQLite page size and the usable bytes of a table leaf page. */
  pageBytes: 4096,
  /** Bytes of a records row besides the vector, document, metadata JSON and id (collection id, ints, header). */
  recordRowOverhead: 10,
  /** The records table's secondary indexes (collection + id, collection + seq) per record. */
  recordIndexBytes: 120,
  /** Metadata rows and their three indexes: bytes per key and per metadata JSON byte. */
  metadataBytesPerKey: 110,
  metadataBytesPerByte: 3,
  /** Full-text (trigram) index: bytes per document byte and per document. */
  fullTextBytesPerByte: 2.5,
  fullTextBytesPerDocument: 20,
  /** RAM: the process with SQLite's page cache, before any data; HNSW in memory per file byte; JS per record. */
  ramBaseBytes: 100 * 2 ** 20,
  ramPerIndexByte: 1.8,
  ramPerRecordBytes: 200,
  /** Ingest microseconds per record: fixed, per dimension (HNSW insertion and snapshots), per stored byte. */
  ingestMicrosFixed: 60,
  ingestMicrosPerDimension: 0.99,
  ingestMicrosPerByte: 0.01,
});

function field(input: Record<string, unknown>, key: string, fallback: number, min: number): number {
  const value = input[key] ?? fallback;
  if (typeof value !== "number" || !Number.isFinite(value) || value < min) {
    throw invalidArgument(key, `expected a number ≥ ${min}, got ${describeValue(value)}`);
  }
  return value;
}

/** Bytes a row of `payload` bytes takes in a table b-tree filled in key order (overflow pages included). */
export function sqliteRowBytes(payload: number, pageBytes = ESTIMATE_CONSTANTS.pageBytes): number {
  const usable = pageBytes;
  const maxLocal = usable - 35;
  const minLocal = Math.floor(((usable - 12) * 32) / 255) - 23;
  const cellOverhead = 8; // cell header (payload size, rowid varints) + its 2-byte pointer
  const room = usable - 8; // page header of a leaf
  if (payload <= maxLocal) {
    const perPage = Math.max(1, Math.floor(room / (payload + cellOverhead)));
    return pageBytes / perPage;
  }
  let local = minLocal + ((payload - minLocal) % (usable - 4));
  if (local > maxLocal) local = minLocal;
  const overflowPages = Math.ceil((payload - local) / (usable - 4));
  const perPage = Math.max(1, Math.floor(room / (local + 4 + cellOverhead)));
  return overflowPages * pageBytes + pageBytes / perPage;
}

/** Bytes of one element in an hnswlib index file: vector, level-0 links, label, upper-level links on average. */
export function hnswElementBytes(dimension: number, M: number): number {
  const level0 = 2 * M * 4 + 4;
  const upper = (M * 4 + 4) / (M - 1); // 1/(M−1) upper levels per element on average
  return dimension * 4 + level0 + 8 + 4 + upper;
}

/**
 * Estimates the disk, RAM and ingest time of a collection: `records` records of `dimension`-d vectors with
 * `metadataBytes` of metadata and `documentBytes` of document each, on the defaults otherwise. The constants
 * are measured on the reference machine (2 cores); expect ±25% on disk and RAM, more on time on other hardware.
 * @example
 * const e = estimate({ records: 1_000_000, dimension: 768, metadataBytes: 200, documentBytes: 1000 });
 * console.log(`${(e.diskBytes / 2 ** 30).toFixed(1)} GiB on disk, ${(e.ramBytes / 2 ** 30).toFixed(1)} GiB RAM`);
 */
export function estimate(input: EstimateInput): EstimateResult {
  if (!isPlainObject(input))
    throw invalidArgument("input", `expected an object, got ${describeValue(input)}`);
  const known = [
    "records",
    "dimension",
    "metadataBytes",
    "metadataKeys",
    "documentBytes",
    "idBytes",
    "M",
    "efConstruction",
  ];
  for (const key of Object.keys(input)) {
    if (!known.includes(key))
      throw invalidArgument(key, `unknown option; expected one of ${known.join(", ")}`);
  }
  const raw = input as unknown as Record<string, unknown>;
  if (raw.records === undefined) throw invalidArgument("records", "required: the number of records");
  if (raw.dimension === undefined) throw invalidArgument("dimension", "required: the vector dimension");
  const records = Math.round(field(raw, "records", 0, 0));
  const dimension = Math.round(field(raw, "dimension", 0, 1));
  const metadataBytes = field(raw, "metadataBytes", 0, 0);
  const metadataKeys = field(
    raw,
    "metadataKeys",
    metadataBytes > 0 ? Math.max(1, Math.round(metadataBytes / 20)) : 0,
    0,
  );
  const documentBytes = field(raw, "documentBytes", 0, 0);
  const idBytes = field(raw, "idBytes", 16, 1);
  const M = Math.round(field(raw, "M", DEFAULT_HNSW.max_neighbors, 2));
  const efConstruction = Math.round(field(raw, "efConstruction", DEFAULT_HNSW.ef_construction, 1));
  const c = ESTIMATE_CONSTANTS;

  const payload = dimension * 4 + documentBytes + metadataBytes + idBytes + c.recordRowOverhead;
  const recordRow = sqliteRowBytes(payload) + c.recordIndexBytes;
  const metadataRows = metadataKeys * c.metadataBytesPerKey + metadataBytes * c.metadataBytesPerByte;
  const fullText =
    documentBytes > 0 ? documentBytes * c.fullTextBytesPerByte + c.fullTextBytesPerDocument : 0;
  const hnswElement = hnswElementBytes(dimension, M);

  const sqliteBytes = records * (recordRow + metadataRows + fullText);
  const indexFileBytes = records * hnswElement;
  const indexFilesBytes = 2 * indexFileBytes;
  const ramBytes = c.ramBaseBytes + c.ramPerIndexByte * indexFileBytes + c.ramPerRecordBytes * records;
  const efScale = efConstruction / DEFAULT_HNSW.ef_construction;
  const micros =
    c.ingestMicrosFixed +
    c.ingestMicrosPerDimension * dimension * efScale * Math.sqrt(M / DEFAULT_HNSW.max_neighbors) +
    c.ingestMicrosPerByte * (documentBytes + metadataBytes + metadataRows + fullText);
  const ingestSeconds = (records * micros) / 1e6;
  return {
    input: { records, dimension, metadataBytes, metadataKeys, documentBytes, idBytes, M, efConstruction },
    sqliteBytes,
    indexFileBytes,
    indexFilesBytes,
    diskBytes: sqliteBytes + indexFilesBytes,
    ramBytes,
    ingestSeconds,
    ingestRecordsPerSecond: micros > 0 ? 1e6 / micros : 0,
    perRecord: { recordRow, metadataRows, fullText, hnswElement },
  };
}
