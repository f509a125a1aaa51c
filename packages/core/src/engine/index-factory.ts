/**
 * The seam between the engine and the vector index implementation: the engine needs only these operations.
 */
import { type IndexParams, type SearchStrategy, TieredIndex } from "../index/index";

export type { IndexParams } from "../index/index";

/** The operations the engine uses on a collection's vector index. */
export interface EngineIndex {
  upsert(labels: ArrayLike<number>, vectors: readonly Float32Array[]): void;
  remove(labels: ArrayLike<number>): unknown;
  search(
    query: Float32Array,
    k: number,
    options?: {
      allowed?: ReadonlySet<number> | number[] | undefined;
      ef?: number | undefined;
      strategy?: SearchStrategy | undefined;
    },
  ): { labels: number[]; distances: number[] };
  setEf(ef: number): void;
  size(): number;
  /** Moves buffered writes into the graph (before a snapshot). */
  flush(): void;
  /** Writes a snapshot into an empty folder. */
  save(dir: string, options: { watermark: number }): void;
}

/** Creates and loads indexes. */
export interface IndexFactory {
  create(params: IndexParams): EngineIndex;
  /** Loads a snapshot folder; null when it is missing, damaged or made with other parameters. */
  load(dir: string, params: IndexParams): { index: EngineIndex; watermark: number } | null;
}

/** The default factory: HNSW with an exact buffer for recent writes. */
export const tieredIndexFactory: IndexFactory = {
  create: (params) => new TieredIndex(params),
  load: (dir, params) => TieredIndex.load(dir, params),
};
