export { DATABASE_FILE, Engine, type CollectionModel, type EngineOptions } from "./engine";
export type { IndexFactory, EngineIndex, IndexParams } from "./index-factory";
export type { GetPlan, GetRequest, Hydration, QueryPlan, QueryRequest } from "./planner";
export type { Selection } from "./reader";
export type { WriteBatch, WriteMode } from "./types";
export { mergeMetadata } from "./writer";
