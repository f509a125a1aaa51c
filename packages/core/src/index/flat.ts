/**
 * Exact k-NN over vectors packed into one Float32Array. Used for small collections, for the recent-writes
 * buffer of `TieredIndex`, for exact scans of small filtered sets, and as the ground truth in tests.
 */
import { dotAt, normalize, squaredL2At } from "../distance";
import type { Space } from "../types";
import { allowedSet, checkBatch, checkDimension, checkQuery } from "./checks";
import { TopK } from "./top-k";
import type { SearchOptions, SearchResult, VectorIndex } from "./types";

/** Options of {@link FlatIndex}. */
export interface FlatIndexOptions {
  space: Space;
  dimension: number;
  /** Vectors to allocate room for up front (default 64; storage doubles as needed). */
  initialCapacity?: number;
}

const DEFAULT_CAPACITY = 64;

/**
 * Exact (brute-force) vector index.
 *
 * Storage is one packed buffer that doubles when full, a label → slot map, and slot → label. Removal moves
 * the last vector into the freed slot so the buffer stays dense and scans touch no holes. For `cosine`,
 * vectors are stored unit-normalised so a distance is one dot product.
 * @example
 * const flat = new FlatIndex({ space: "cosine", dimension: 3 });
 * flat.upsert([1, 2], [new Float32Array([1, 0, 0]), new Float32Array([0, 1, 0])]);
 * flat.search(new Float32Array([1, 0.1, 0]), 1); // { labels: [1], distances: [0.00497…] }
 */
export class FlatIndex implements VectorIndex {
  readonly space: Space;
  readonly dimension: number;
  private data: Float32Array;
  private labelOfSlot: Float64Array;
  private readonly slotOf = new Map<number, number>();
  private count = 0;
  private readonly initialCapacity: number;

  constructor(options: FlatIndexOptions) {
    checkDimension(options.dimension);
    this.space = options.space;
    this.dimension = options.dimension;
    this.initialCapacity = Math.max(1, options.initialCapacity ?? DEFAULT_CAPACITY);
    this.data = new Float32Array(this.initialCapacity * this.dimension);
    this.labelOfSlot = new Float64Array(this.initialCapacity);
  }

  size(): number {
    return this.count;
  }

  has(label: number): boolean {
    return this.slotOf.has(label);
  }

  /** Live labels in storage order (not sorted). */
  labels(): number[] {
    return Array.from(this.labelOfSlot.subarray(0, this.count));
  }

  /**
   * The stored vector of `label` (unit-normalised for `cosine`), as a view into the index's storage that is
   * valid until the next write. `undefined` when absent.
   */
  vector(label: number): Float32Array | undefined {
    const slot = this.slotOf.get(label);
    if (slot === undefined) return undefined;
    return this.data.subarray(slot * this.dimension, (slot + 1) * this.dimension);
  }

  upsert(labels: ArrayLike<number>, vectors: readonly Float32Array[]): void {
    checkBatch(labels, vectors, this.dimension);
    let added = 0;
    for (let i = 0; i < labels.length; i++) if (!this.slotOf.has(labels[i] as number)) added++;
    this.reserve(this.count + added);
    const dim = this.dimension;
    for (let i = 0; i < labels.length; i++) {
      const label = labels[i] as number;
      let slot = this.slotOf.get(label);
      if (slot === undefined) {
        slot = this.count++;
        this.slotOf.set(label, slot);
        this.labelOfSlot[slot] = label;
      }
      const target = this.data.subarray(slot * dim, (slot + 1) * dim);
      if (this.space === "cosine") normalize(vectors[i]!, target);
      else target.set(vectors[i]!);
    }
  }

  remove(labels: ArrayLike<number>): number {
    let removed = 0;
    const dim = this.dimension;
    for (let i = 0; i < labels.length; i++) {
      const label = labels[i] as number;
      const slot = this.slotOf.get(label);
      if (slot === undefined) continue;
      const last = --this.count;
      if (slot !== last) {
        const moved = this.labelOfSlot[last] as number;
        this.data.copyWithin(slot * dim, last * dim, (last + 1) * dim);
        this.labelOfSlot[slot] = moved;
        this.slotOf.set(moved, slot);
      }
      this.slotOf.delete(label);
      removed++;
    }
    return removed;
  }

  search(query: Float32Array, k: number, options: SearchOptions = {}): SearchResult {
    checkQuery(query, k, this.dimension);
    const top = new TopK(Math.min(k, this.count));
    if (top.k === 0) return { labels: [], distances: [] };
    const q = this.space === "cosine" ? normalize(query) : query;
    const { allowed } = options;
    if (allowed === undefined) {
      this.scanAll(q, top);
    } else if (allowed instanceof Set && allowed.size > this.count) {
      // Bigger than the index: one membership test per stored vector beats one lookup per allowed label.
      this.scanAll(q, top, allowed);
    } else {
      this.scanLabels(q, top, allowed instanceof Set ? allowed : allowedSet(allowed));
    }
    return top.result();
  }

  /** A no-op: exact search has no breadth parameter. */
  setEf(_ef: number): void {}

  clear(): void {
    this.count = 0;
    this.slotOf.clear();
    this.data = new Float32Array(this.initialCapacity * this.dimension);
    this.labelOfSlot = new Float64Array(this.initialCapacity);
  }

  /** Ensures room for `needed` vectors, doubling the capacity (amortised O(1) per insert). */
  private reserve(needed: number): void {
    const capacity = this.labelOfSlot.length;
    if (needed <= capacity) return;
    let next = capacity * 2;
    while (next < needed) next *= 2;
    const data = new Float32Array(next * this.dimension);
    data.set(this.data.subarray(0, this.count * this.dimension));
    const labels = new Float64Array(next);
    labels.set(this.labelOfSlot.subarray(0, this.count));
    this.data = data;
    this.labelOfSlot = labels;
  }

  private distanceAt(q: Float32Array, slot: number): number {
    const offset = slot * this.dimension;
    return this.space === "l2" ? squaredL2At(q, this.data, offset) : 1 - dotAt(q, this.data, offset);
  }

  private scanAll(q: Float32Array, top: TopK, allowed?: ReadonlySet<number>): void {
    const { count, labelOfSlot } = this;
    for (let slot = 0; slot < count; slot++) {
      const label = labelOfSlot[slot] as number;
      if (allowed !== undefined && !allowed.has(label)) continue;
      const d = this.distanceAt(q, slot);
      // `<=` keeps ties so TopK can prefer the smaller label.
      if (d <= top.worst) top.push(d, label);
    }
  }

  private scanLabels(q: Float32Array, top: TopK, allowed: ReadonlySet<number>): void {
    for (const label of allowed) {
      const slot = this.slotOf.get(label);
      if (slot === undefined) continue;
      const d = this.distanceAt(q, slot);
      if (d <= top.worst) top.push(d, label);
    }
  }
}
