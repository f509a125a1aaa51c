/**
 * The contract every vector index implements (exact `FlatIndex`, approximate `HnswIndex`, and the
 * `TieredIndex` that combines them). The index is a cache of SQLite: it holds label → vector and answers
 * k-nearest-neighbour queries; it knows nothing about ids, metadata or documents.
 */
import type { Space } from "../types";

/**
 * Labels a search may return. A `Set` is used as is; arrays are read once per search (duplicates are
 * ignored). Labels that are not in the index are ignored.
 */
export type AllowedLabels = ReadonlySet<number> | Uint32Array | readonly number[];

/** Where an exact scan reads the allowed vectors from. */
export type VectorSource = "storage" | "graph" | "memory";

/** The search strategies (see `strategy.ts`). Plain, JSON-serialisable data. */
export type SearchStrategy =
  | { kind: "empty"; reason: string }
  | { kind: "graph"; ef: number; reason: string }
  | { kind: "exact"; source: VectorSource; reason: string }
  | {
      kind: "overfetch";
      /** Unfiltered neighbours to fetch (searched with breadth max(ef, candidates)). */
      candidates: number;
      factor: number;
      /** Breadth of the filtered search the executor falls back to. */
      ef: number;
      reason: string;
    }
  | { kind: "filtered-graph"; ef: number; reason: string };

/** The kinds of {@link SearchStrategy}. */
export type StrategyKind = SearchStrategy["kind"];

/** Options of {@link VectorIndex.search}. */
export interface SearchOptions {
  /** Restrict results to these labels (a prefilter resolved by the engine). An empty set → no results. */
  allowed?: AllowedLabels;
  /** Search breadth for this query only (approximate indexes; ignored by exact ones). Raised to ≥ k. */
  ef?: number;
  /**
   * How to search (chosen by `chooseStrategy`, e.g. in the engine's query plan). Without it the index chooses
   * through the same function. Exact indexes always scan.
   */
  strategy?: SearchStrategy | undefined;
}

/** Nearest neighbours of one query, closest first. `labels[i]` is at `distances[i]`. */
export interface SearchResult {
  labels: number[];
  /** Raw distances of the index's space (l2 = squared, cosine = 1 − cos, ip = 1 − dot), float32 values. */
  distances: number[];
}

/**
 * A mutable set of labelled vectors with k-NN search.
 *
 * Labels are integers in [0, 2³²) owned by storage (hnswlib-node's limit). Vectors must be Float32Arrays of
 * exactly `dimension` floats (finiteness is the caller's job: it is not re-checked here); the index copies
 * them, so callers may reuse their arrays. Every method validates its whole input before changing anything,
 * so a throwing call leaves the index as it was.
 */
export interface VectorIndex {
  /** Distance space, fixed at creation. */
  readonly space: Space;
  /** Vector length, fixed at creation. */
  readonly dimension: number;
  /** Number of live (searchable) vectors. */
  size(): number;
  /** Whether `label` is live. */
  has(label: number): boolean;
  /**
   * Adds vectors, or replaces the vector of labels already present (including labels removed earlier).
   * `labels[i]` gets `vectors[i]`; within one call a repeated label keeps its last vector.
   * @throws InvalidArgumentError on a bad label or mismatched lengths; DimensionMismatchError on a bad vector.
   */
  upsert(labels: ArrayLike<number>, vectors: readonly Float32Array[]): void;
  /** Removes labels; labels that are not live are ignored. Returns how many were removed. */
  remove(labels: ArrayLike<number>): number;
  /**
   * The `k` nearest live vectors to `query`, ascending by distance. Returns fewer than `k` when fewer
   * vectors (or allowed labels) exist; `k = 0` returns nothing.
   * @throws InvalidArgumentError when k is not a non-negative integer; DimensionMismatchError on a bad query.
   */
  search(query: Float32Array, k: number, options?: SearchOptions): SearchResult;
  /** Sets the default search breadth (`ef_search`); a no-op for exact indexes. */
  setEf(ef: number): void;
  /** Removes everything (space and dimension stay). */
  clear(): void;
}
