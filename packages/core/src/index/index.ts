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
  OVERFETCH_FACTOR,
  OVERFETCH_MAX_CANDIDATES,
  OVERFETCH_MIN_SELECTIVITY,
  type SearchStrategy,
  type SearchTarget,
  searchWith,
  type StrategyInput,
  type StrategyKind,
  type VectorSource,
} from "./strategy";
