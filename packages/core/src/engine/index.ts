export { DATABASE_FILE, Engine, type CollectionModel, type EngineOptions } from "./engine";
export type { IndexFactory, EngineIndex, IndexParams } from "./index-factory";
export type { GetPlan, GetRequest, Hydration, QueryPlan, QueryRequest } from "./planner";
export type { Selection } from "./reader";
export { DEFAULT_WRITE_POLICY, type WriteBatch, type WriteMode, type WritePolicy } from "./types";
export { mergeMetadata } from "./writer";
