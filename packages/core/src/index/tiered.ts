/**
 * Two-tier vector index: an HNSW main tier plus a small exact buffer of recent writes (ARCHITECTURE.md,
 * "Vector tiers"). Writes land in the buffer; when it reaches `batchSize` it is flushed into HNSW in one
 * batch. Searches query both tiers and merge.
 *
 * Invariant: a live label is in exactly one tier. An upsert of a label that lives in HNSW tombstones the HNSW
 * copy and puts the new vector in the buffer; the flush then re-adds the label to HNSW, which revives the
 * tombstone in place (hnswlib updates a deleted label's vector) instead of taking a new slot.
 */
import { invalidArgument } from "../errors";
import type { Space } from "../types";
import { allowedSet, checkBatch, checkQuery } from "./checks";
import { FlatIndex } from "./flat";
import { HnswIndex, type HnswIndexOptions } from "./hnsw";
import { mergeResults } from "./top-k";
import type { SearchOptions, SearchResult, VectorIndex } from "./types";

/**
 * Options of {@link TieredIndex}: those of {@link HnswIndex} plus the buffer size.
 * @example new TieredIndex({ space: "cosine", dimension: 384, batchSize: 100, efSearch: 150 })
 */
export interface TieredIndexOptions extends HnswIndexOptions {
  /**
   * Buffered vectors that trigger a flush into HNSW (Chroma's `batch_size`, default 100). Larger → more
   * exact-scan work per query and longer flush pauses, for no saving in total insert work (measured).
   */
  batchSize?: number;
}

/** A loaded tiered index and the watermark it was saved with. */
export interface TieredLoadResult {
  index: TieredIndex;
  watermark: number;
}

// Measured at 384-d over a 10k index (recall.test prints it): scanning the buffer costs ~0.4–0.8 µs per
// buffered vector per query (100 → +0.09 ms, 1,000 → +0.8 ms, against ~0.4 ms for the HNSW query itself),
// while a flush costs the same ~0.2–0.7 ms per vector whatever the batch size (hnswlib-node has no batch
// insert, so batching saves bookkeeping, not graph work). Bigger batches therefore only make queries slower
// and flush pauses longer; 100 (Chroma's default `batch_size`) keeps the query overhead near 20%.
const DEFAULT_BATCH_SIZE = 100;

/**
 * HNSW + recent-writes buffer, searched together.
 * The buffer is not persisted: {@link TieredIndex.save} writes the HNSW tier only; the engine replays rows
 * above the saved watermark from SQLite (which lands them in the buffer again).
 */
export class TieredIndex implements VectorIndex {
  readonly space: Space;
  readonly dimension: number;
  private flushAt: number;
  private readonly hnsw: HnswIndex;
  private readonly buffer: FlatIndex;

  /** @param hnsw internal: a loaded HNSW tier (see {@link TieredIndex.load}). */
  constructor(options: TieredIndexOptions, hnsw?: HnswIndex) {
    this.flushAt = checkBatchSize(options.batchSize ?? DEFAULT_BATCH_SIZE);
    this.hnsw = hnsw ?? new HnswIndex(options);
    this.space = this.hnsw.space;
    this.dimension = this.hnsw.dimension;
    this.buffer = new FlatIndex({
      space: this.space,
      dimension: this.dimension,
      initialCapacity: Math.min(this.flushAt, 1024),
    });
  }

  /** Flush threshold (Chroma's `batch_size`). */
  get batchSize(): number {
    return this.flushAt;
  }

  /** Changes the flush threshold (`batch_size` is mutable in Chroma); flushes at once if already reached. */
  setBatchSize(batchSize: number): void {
    this.flushAt = checkBatchSize(batchSize);
    if (this.buffer.size() >= this.flushAt) this.flush();
  }

  /** Sets the HNSW tier's capacity growth factor (Chroma `resize_factor`, mutable). */
  setResizeFactor(factor: number): void {
    this.hnsw.setResizeFactor(factor);
  }

  size(): number {
    return this.buffer.size() + this.hnsw.size();
  }

  has(label: number): boolean {
    return this.buffer.has(label) || this.hnsw.has(label);
  }

  /** Vectors waiting in the buffer. */
  pending(): number {
    return this.buffer.size();
  }

  /** The HNSW tier, for stats and tombstone inspection (do not write to it directly). */
  get main(): HnswIndex {
    return this.hnsw;
  }

  upsert(labels: ArrayLike<number>, vectors: readonly Float32Array[]): void {
    checkBatch(labels, vectors, this.dimension);
    // Hide the HNSW copies first so no search can see both the old and the new vector of a label.
    this.hnsw.remove(labels);
    this.buffer.upsert(labels, vectors);
    if (this.buffer.size() >= this.flushAt) this.flush();
  }

  remove(labels: ArrayLike<number>): number {
    // Tiers are disjoint, so the counts add up.
    return this.buffer.remove(labels) + this.hnsw.remove(labels);
  }

  search(query: Float32Array, k: number, options: SearchOptions = {}): SearchResult {
    checkQuery(query, k, this.dimension);
    // Convert an array once instead of once per tier.
    const allowed = options.allowed === undefined ? undefined : allowedSet(options.allowed);
    const recent = this.buffer.search(query, k, { allowed });
    if (this.hnsw.size() === 0) return recent;
    const main = this.hnsw.search(query, k, { ...options, allowed });
    if (recent.labels.length === 0) return main;
    return mergeResults(k, recent, main);
  }

  /** Moves every buffered vector into HNSW (one batch). A no-op when the buffer is empty. */
  flush(): void {
    if (this.buffer.size() === 0) return;
    const labels = this.buffer.labels();
    // Views into the buffer's storage: valid because nothing writes to the buffer until it is cleared.
    const vectors = labels.map((label) => this.buffer.vector(label)!);
    this.hnsw.upsert(labels, vectors);
    this.buffer.clear();
  }

  setEf(ef: number): void {
    this.hnsw.setEf(ef);
  }

  clear(): void {
    this.buffer.clear();
    this.hnsw.clear();
  }

  /**
   * Flushes the buffer, then saves the HNSW tier (see {@link HnswIndex.save}). Flushing first makes the
   * file hold every write applied so far, so `watermark` may be the engine's latest applied sequence (an
   * upsert of an HNSW label tombstones the old copy; saving that tombstone without the buffered vector would
   * lose the record on reload).
   */
  save(dir: string, options: { watermark: number }): void {
    this.flush();
    this.hnsw.save(dir, options);
  }

  /**
   * Loads a saved HNSW tier and wraps it with an empty buffer; `null` when the files are missing, corrupt
   * or do not match (see {@link HnswIndex.load}). The engine then replays rows above `watermark`.
   */
  static load(dir: string, options: TieredIndexOptions): TieredLoadResult | null {
    const loaded = HnswIndex.load(dir, options);
    if (!loaded) return null;
    return { index: new TieredIndex(options, loaded.index), watermark: loaded.watermark };
  }
}

function checkBatchSize(batchSize: number): number {
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw invalidArgument("batchSize", `expected a positive integer, got ${String(batchSize)}`);
  }
  return batchSize;
}
