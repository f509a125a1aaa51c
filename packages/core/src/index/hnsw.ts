/**
 * Approximate k-NN over hnswlib-node 3.0.0, with exact answers for small filtered sets and checked,
 * crash-safe persistence (see `hnsw-files.ts`).
 *
 * Facts about hnswlib-node 3.0.0 this file relies on (verified by tests):
 * - `addPoint` of a present label updates its vector in place; of a `markDelete`d label it unmarks and
 *   updates, so re-adding a deleted label works (with `allowReplaceDeleted` off, which is how we init).
 * - `markDelete` throws for an unknown or already-deleted label, so live/deleted state is tracked here.
 * - Delete marks are saved by `writeIndex` and restored by `readIndex`, but no call lists them (and
 *   `getIdsList` includes deleted labels), so the sidecar records the deleted labels.
 * - `searchKnn` returns fewer results when k exceeds the live count, but throws when k > capacity.
 * - `readIndex` resets ef to 10; labels pass through `Uint32Value` (wrap above 2³²); `cosine` stores
 *   normalised vectors (so `getPoint` returns unit vectors).
 */
// Default import on purpose: the addon sets `module.exports` at run time, so Node's ESM loader cannot see
// named exports (`import { HierarchicalNSW }` fails in the ESM build); the default works in ESM and CJS.
import hnswlib from "hnswlib-node";
import type { HierarchicalNSW } from "hnswlib-node";
import { dotAt, normalize, squaredL2At } from "../distance";
import { invalidArgument } from "../errors";
import type { Space } from "../types";
import { allowedSet, checkBatch, checkDimension, checkEf, checkQuery } from "./checks";
import { FlatIndex } from "./flat";
import { type HnswSidecar, readStoredVectors, saveHnswFiles, verifyHnswFiles } from "./hnsw-files";
import { searchByOverfetch } from "./overfetch";
import { DEFAULT_HNSW_PARAMS, type HnswParams } from "./params";
import { chooseStrategy, exactScanLimit } from "./strategy";
import { TopK } from "./top-k";
import type { SearchOptions, SearchResult, VectorIndex } from "./types";

/**
 * Options of {@link HnswIndex}.
 * @example new HnswIndex({ space: "cosine", dimension: 384, efSearch: 200 })
 */
export interface HnswIndexOptions extends Partial<HnswParams> {
  space: Space;
  dimension: number;
  /** Capacity allocated up front (default 1000). Grows by `resizeFactor`, never by rebuilding. */
  initialCapacity?: number;
  /**
   * Keep a copy of every vector in JS memory (+4·dimension bytes per vector, about doubling the index's
   * memory) so that exact scans of filtered sets read them directly instead of through hnswlib's `getPoint`.
   * Measured at 384-d: ~0.4 µs instead of ~30 µs per scanned label, which makes filtered queries 10–25×
   * faster up to ~10% selectivity. Default false.
   */
  keepVectors?: boolean;
  /**
   * Filtered searches whose allowed set has at most this many labels are answered by an exact scan.
   * Default: the measured break-even (see {@link HnswIndex.exactScanLimit}).
   */
  exactScanLimit?: number;
}

/** Options of {@link HnswIndex.load}: what the caller expects, plus mutable parameters to apply. */
export interface HnswLoadOptions extends HnswIndexOptions {}

/** A loaded index and the watermark it was saved with. */
export interface HnswLoadResult {
  index: HnswIndex;
  watermark: number;
}

/** Counters for the engine (e.g. to decide when tombstones warrant a rebuild). */
export interface HnswStats {
  live: number;
  deleted: number;
  capacity: number;
}

const DEFAULT_CAPACITY = 1000;
// The default exact-scan limit and its cost model: see `strategy.ts`.

function resolveParams(options: Partial<HnswParams>, base: Readonly<HnswParams>): HnswParams {
  const p: HnswParams = {
    maxNeighbors: options.maxNeighbors ?? base.maxNeighbors,
    efConstruction: options.efConstruction ?? base.efConstruction,
    efSearch: options.efSearch ?? base.efSearch,
    resizeFactor: options.resizeFactor ?? base.resizeFactor,
    seed: options.seed ?? base.seed,
  };
  checkEf(p.maxNeighbors, "maxNeighbors");
  checkEf(p.efConstruction, "efConstruction");
  checkEf(p.efSearch, "efSearch");
  if (!Number.isInteger(p.seed) || p.seed < 0)
    throw invalidArgument("seed", `expected a non-negative integer, got ${p.seed}`);
  if (!(p.resizeFactor > 1) || !Number.isFinite(p.resizeFactor)) {
    throw invalidArgument("resizeFactor", `expected a finite number > 1, got ${p.resizeFactor}`);
  }
  return p;
}

/**
 * HNSW vector index over hnswlib-node. Removal tombstones (`markDelete`); tombstones keep their slot until
 * the engine rebuilds (labels are never reused, see {@link HnswIndex.stats}).
 */
export class HnswIndex implements VectorIndex {
  readonly space: Space;
  readonly dimension: number;
  private readonly current: HnswParams;
  private native: HierarchicalNSW;
  private live = new Set<number>();
  private deleted = new Set<number>();
  private nativeEf = -1;
  private readonly initialCapacity: number;
  private readonly fixedExactLimit: number | undefined;
  /** Copy of the live vectors when `keepVectors` is set (exact scans read it instead of getPoint). */
  private readonly kept: FlatIndex | undefined;
  // hnswlib-node 3.0.0 only accepts plain Arrays; one reused array avoids an allocation per call.
  private readonly scratch: number[];
  private readonly pointScratch: Float32Array;

  /** @param loaded internal: a native index read by {@link HnswIndex.load}. */
  constructor(options: HnswIndexOptions, loaded?: HierarchicalNSW) {
    checkDimension(options.dimension);
    this.space = options.space;
    this.dimension = options.dimension;
    this.current = resolveParams(options, DEFAULT_HNSW_PARAMS);
    this.initialCapacity = Math.max(1, Math.ceil(options.initialCapacity ?? DEFAULT_CAPACITY));
    this.fixedExactLimit = options.exactScanLimit;
    this.scratch = new Array<number>(this.dimension).fill(0);
    this.pointScratch = new Float32Array(this.dimension);
    this.kept = options.keepVectors
      ? new FlatIndex({ space: this.space, dimension: this.dimension })
      : undefined;
    this.native = loaded ?? this.createNative();
  }

  /** Resolved parameters (a copy; `efSearch` and `resizeFactor` change through their setters). */
  get params(): HnswParams {
    return { ...this.current };
  }

  size(): number {
    return this.live.size;
  }

  has(label: number): boolean {
    return this.live.has(label);
  }

  /** Labels that are tombstoned (removed but still occupying a slot in the graph). */
  deletedLabels(): number[] {
    return [...this.deleted];
  }

  /** Live and tombstoned counts and the current capacity. */
  stats(): HnswStats {
    return { live: this.live.size, deleted: this.deleted.size, capacity: this.native.getMaxElements() };
  }

  upsert(labels: ArrayLike<number>, vectors: readonly Float32Array[]): void {
    checkBatch(labels, vectors, this.dimension);
    let fresh = 0;
    for (let i = 0; i < labels.length; i++) {
      const label = labels[i] as number;
      if (!this.live.has(label) && !this.deleted.has(label)) fresh++;
    }
    this.reserve(this.native.getCurrentCount() + fresh);
    for (let i = 0; i < labels.length; i++) {
      const label = labels[i] as number;
      this.native.addPoint(this.toArray(vectors[i]!), label);
      this.live.add(label);
      this.deleted.delete(label);
    }
    this.kept?.upsert(labels, vectors);
  }

  remove(labels: ArrayLike<number>): number {
    let removed = 0;
    for (let i = 0; i < labels.length; i++) {
      const label = labels[i] as number;
      if (!this.live.has(label)) continue;
      this.native.markDelete(label);
      this.live.delete(label);
      this.deleted.add(label);
      removed++;
    }
    this.kept?.remove(labels);
    return removed;
  }

  search(query: Float32Array, k: number, options: SearchOptions = {}): SearchResult {
    checkQuery(query, k, this.dimension);
    const given = options.strategy;
    const ef = options.ef ?? (given && "ef" in given ? given.ef : this.current.efSearch);
    checkEf(ef, "ef");
    // hnswlib returns fewer results past the live count, but throws past capacity: clamp to both.
    const kk = Math.min(k, this.live.size);
    if (kk === 0) return { labels: [], distances: [] };
    if (options.allowed === undefined) return this.searchNative(query, kk, ef);
    const allowed = allowedSet(options.allowed);
    if (allowed.size === 0) return { labels: [], distances: [] };
    const strategy =
      given ??
      chooseStrategy({
        allowed: allowed.size,
        indexed: this.live.size,
        graphSize: this.native.getCurrentCount(),
        k: kk,
        ef,
        source: this.kept ? "memory" : "graph",
        exactLimit: this.fixedExactLimit,
      });
    const kAllowed = Math.min(kk, allowed.size);
    switch (strategy.kind) {
      case "empty":
        return { labels: [], distances: [] };
      case "exact":
        return this.searchExact(query, kk, allowed);
      case "overfetch": {
        const unfiltered = (candidates: number, breadth: number) =>
          this.searchNative(query, candidates, breadth);
        const overfetched = searchByOverfetch(
          unfiltered,
          allowed,
          kAllowed,
          ef,
          strategy.candidates,
          this.live.size,
        );
        if (overfetched) return overfetched;
        break;
      }
      case "graph":
      case "filtered-graph":
        break;
    }
    // Measured: hnswlib's filtered search keeps only allowed labels in its result queue and walks through the
    // others, so recall at 1% and 10% selectivity is ≥ the unfiltered recall at the same ef (≥ 0.99 at ef 100);
    // raising ef only made it slower. So the filtered path uses the same ef.
    return this.searchNative(query, kAllowed, ef, (label) => allowed.has(label));
  }

  setEf(ef: number): void {
    checkEf(ef, "ef");
    this.current.efSearch = ef;
  }

  /** Sets the capacity growth factor (Chroma `resize_factor`, mutable). */
  setResizeFactor(factor: number): void {
    this.current.resizeFactor = resolveParams({ resizeFactor: factor }, this.current).resizeFactor;
  }

  clear(): void {
    this.native = this.createNative();
    this.live.clear();
    this.deleted.clear();
    this.kept?.clear();
  }

  /**
   * Largest allowed-set size answered by an exact scan instead of a filtered graph search, for search
   * breadth `ef`: the configured `exactScanLimit`, else the measured break-even for n indexed elements,
   * `√(0.05 · ef · n)`, or `√(4 · ef · n)` with `keepVectors` (see `strategy.ts`).
   */
  exactScanLimit(ef: number = this.current.efSearch): number {
    return exactScanLimit({
      ef,
      source: this.kept ? "memory" : "graph",
      exactLimit: this.fixedExactLimit,
      n: this.native.getCurrentCount(),
    });
  }

  /**
   * Saves the index into `dir` (created if missing) as hnswlib's file plus a checked sidecar, atomically
   * (temp files, fsync, rename; the sidecar last). Synchronous on purpose: hnswlib's async writer would read
   * the graph from another thread while JS keeps mutating it.
   * @param options.watermark an opaque number returned by {@link HnswIndex.load} (the engine's sequence).
   */
  save(dir: string, options: { watermark: number }): void {
    saveHnswFiles(dir, (path) => this.native.writeIndexSync(path), {
      space: this.space,
      dimension: this.dimension,
      params: { ...this.current },
      count: this.native.getCurrentCount(),
      deleted: [...this.deleted],
      watermark: options.watermark,
    });
  }

  /**
   * Loads an index saved by {@link HnswIndex.save}. Returns `null` — never throws, never hands an unverified
   * file to hnswlib — when files are missing, truncated or corrupt, or when space, dimension, `maxNeighbors`
   * or `efConstruction` (if given) differ from `options`; the caller then rebuilds from SQLite. Mutable
   * parameters given in `options` (efSearch, resizeFactor) override the saved ones.
   */
  static load(dir: string, options: HnswLoadOptions): HnswLoadResult | null {
    try {
      const verified = verifyHnswFiles(dir, options);
      if (!verified) return null;
      const { sidecar, dataPath } = verified;
      if (!creationParamsMatch(sidecar, options)) return null;
      const native = new hnswlib.HierarchicalNSW(options.space, options.dimension);
      native.readIndexSync(dataPath);
      // The file's creation-time parameters win (they shaped the graph); mutable ones may be overridden.
      const index = new HnswIndex({ ...options, ...resolveParams(options, sidecar.params) }, native);
      if (!index.adoptLoaded(sidecar)) return null;
      if (index.kept) {
        const kept = index.kept;
        readStoredVectors(dataPath, sidecar, (label, vector) => {
          if (index.live.has(label)) kept.upsert([label], [vector]);
        });
      }
      return { index, watermark: sidecar.watermark };
    } catch {
      return null;
    }
  }

  /** Rebuilds live/deleted from the loaded graph; false when the sidecar's list does not fit the file. */
  private adoptLoaded(sidecar: HnswSidecar): boolean {
    const ids = this.native.getIdsList();
    if (ids.length !== sidecar.count) return false;
    const deleted = new Set(sidecar.deleted);
    const live = new Set<number>();
    for (const id of ids) if (!deleted.has(id)) live.add(id);
    if (live.size + deleted.size !== ids.length) return false;
    this.live = live;
    this.deleted = deleted;
    return true;
  }

  private createNative(): HierarchicalNSW {
    const native = new hnswlib.HierarchicalNSW(this.space, this.dimension);
    const { maxNeighbors, efConstruction, seed } = this.current;
    native.initIndex(this.initialCapacity, maxNeighbors, efConstruction, seed, false);
    this.nativeEf = -1;
    return native;
  }

  /** Grows capacity by the resize factor (or more, for a big batch) so that `needed` elements fit. */
  private reserve(needed: number): void {
    const capacity = this.native.getMaxElements();
    if (needed <= capacity) return;
    this.native.resizeIndex(Math.max(needed, Math.ceil(capacity * this.current.resizeFactor)));
  }

  private toArray(vector: Float32Array): number[] {
    const out = this.scratch;
    for (let i = 0; i < vector.length; i++) out[i] = vector[i] as number;
    return out;
  }

  private searchNative(
    query: Float32Array,
    k: number,
    ef: number,
    filter?: (label: number) => boolean,
  ): SearchResult {
    // Tracking the native ef saves a native call per search; `readIndex` resets it to 10, hence -1 on load.
    if (this.nativeEf !== ef) {
      this.native.setEf(ef);
      this.nativeEf = ef;
    }
    const found = this.native.searchKnn(this.toArray(query), k, filter);
    return { labels: found.neighbors, distances: found.distances };
  }

  /** Exact distances to exactly the allowed live labels (kept vectors, else read back with `getPoint`). */
  private searchExact(query: Float32Array, k: number, allowed: ReadonlySet<number>): SearchResult {
    if (this.kept) return this.kept.search(query, k, { allowed });
    const top = new TopK(k);
    const q = this.space === "cosine" ? normalize(query) : query;
    const v = this.pointScratch;
    for (const label of allowed) {
      if (!this.live.has(label)) continue;
      const point = this.native.getPoint(label);
      for (let i = 0; i < point.length; i++) v[i] = point[i] as number;
      // Stored cosine vectors are already unit length, so cosine distance is 1 − dot here.
      const d = this.space === "l2" ? squaredL2At(q, v, 0) : 1 - dotAt(q, v, 0);
      if (d <= top.worst) top.push(d, label);
    }
    return top.result();
  }
}

function creationParamsMatch(sidecar: HnswSidecar, options: HnswLoadOptions): boolean {
  const { maxNeighbors, efConstruction } = options;
  return (
    (maxNeighbors === undefined || maxNeighbors === sidecar.params.maxNeighbors) &&
    (efConstruction === undefined || efConstruction === sidecar.params.efConstruction)
  );
}
