/**
 * The index's view of a collection's HNSW settings: camel-cased fields derived from the one settings type,
 * {@link HnswConfig}, and the one conversion from it.
 */
import { DEFAULT_HNSW, type HnswConfig, type Space } from "../types";

/** `ef_construction` → `efConstruction`, at the type level. */
type CamelCase<S extends string> = S extends `${infer Head}_${infer Tail}`
  ? `${Head}${Capitalize<CamelCase<Tail>>}`
  : S;

/** An object type with its snake_case keys camel-cased; value types (and so their meaning) are kept. */
type CamelCased<T> = { [K in keyof T & string as CamelCase<K>]: T[K] };

/** Flattens an intersection into one object type (for readable hovers and exact type tests). */
type Simplify<T> = { [K in keyof T]: T[K] };

/** The {@link HnswConfig} settings the graph itself uses. */
type GraphSettings = Pick<HnswConfig, "max_neighbors" | "ef_construction" | "ef_search" | "resize_factor">;

/**
 * HNSW graph parameters: `maxNeighbors` / `efConstruction` (creation-time), `efSearch` / `resizeFactor`
 * (mutable) — {@link HnswConfig}'s `max_neighbors`, `ef_construction`, `ef_search`, `resize_factor` — plus the
 * seed of hnswlib's level generator (default 100), for reproducible graphs. Also the persisted form in the
 * index sidecar.
 */
export type HnswParams = Simplify<CamelCased<GraphSettings> & { seed: number }>;

/** Chroma's defaults (chroma-compat §3.2), from {@link DEFAULT_HNSW}. */
export const DEFAULT_HNSW_PARAMS: Readonly<HnswParams> = Object.freeze({
  maxNeighbors: DEFAULT_HNSW.max_neighbors,
  efConstruction: DEFAULT_HNSW.ef_construction,
  efSearch: DEFAULT_HNSW.ef_search,
  resizeFactor: DEFAULT_HNSW.resize_factor,
  seed: 100,
});

/** What the engine passes to create or load a collection's index. */
export type IndexParams = Simplify<
  Omit<HnswParams, "seed"> & {
    space: Space;
    dimension: number;
    /** {@link HnswConfig.batch_size}: writes buffered in the exact tier before a flush into the graph. */
    batchSize: HnswConfig["batch_size"];
  }
>;

/** Index parameters from a collection's HNSW settings and its dimension: the one snake_case → camelCase map. */
export function indexParamsOf(hnsw: HnswConfig, dimension: number): IndexParams {
  return {
    space: hnsw.space,
    dimension,
    maxNeighbors: hnsw.max_neighbors,
    efConstruction: hnsw.ef_construction,
    efSearch: hnsw.ef_search,
    resizeFactor: hnsw.resize_factor,
    batchSize: hnsw.batch_size,
  };
}
