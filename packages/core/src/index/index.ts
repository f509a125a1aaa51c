export { FlatIndex, type FlatIndexOptions } from "./flat";
export {
  HnswIndex,
  type HnswIndexOptions,
  type HnswLoadOptions,
  type HnswLoadResult,
  type HnswStats,
} from "./hnsw";
export { DEFAULT_HNSW_PARAMS, type HnswParams, type IndexParams, indexParamsOf } from "./params";
export { TieredIndex, type TieredIndexOptions, type TieredLoadResult } from "./tiered";
export type { AllowedLabels, SearchOptions, SearchResult, VectorIndex } from "./types";
export {
  chooseStrategy,
  EXACT_SCAN_COEFFICIENT,
  exactScanLimit,
  OVERFETCH_MAX_CANDIDATES,
  OVERFETCH_MIN_SELECTIVITY,
  type SearchStrategy,
  searchWith,
  type StrategyInput,
  type VectorSource,
} from "./strategy";
