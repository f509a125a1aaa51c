/**
 * @cairndb/core — an embedded vector database for Node with the Chroma API.
 *
 * @example
 * import { PersistentClient, HashEmbeddingFunction } from "@cairndb/core";
 * const client = new PersistentClient({ path: "./cairn_db" });
 * const docs = await client.getOrCreateCollection({ name: "docs", embeddingFunction: new HashEmbeddingFunction() });
 * await docs.add({ ids: ["a"], documents: ["Cairn keeps vectors in SQLite"] });
 * const hits = await docs.query({ queryTexts: ["where are vectors kept?"], nResults: 1 });
 */
export {
  CairnClient,
  type ClientOptions,
  type CreateCollectionOptions,
  type GetCollectionOptions,
  type ListCollectionsOptions,
} from "./client/client";
export {
  EphemeralClient,
  type LocalClientOptions,
  PersistentClient,
  type PersistentClientOptions,
} from "./client/local";
export { HttpClient, type HttpClientOptions } from "./client/http";
export type {
  ClientBackend,
  CollectionBackend,
  CollectionDescription,
  DatabaseDescription,
  WritePolicy,
} from "./collection/backend";
export { Collection } from "./collection/collection";
export { flattenMetadata, type NestedMetadataOptions, restoreMetadata } from "./collection/nested-metadata";
export type {
  AddOptions,
  AddWriteOptions,
  DeleteOptions,
  DeleteResult,
  GetOptions,
  ModifyOptions,
  PeekOptions,
  QueryOptions,
  UpdateOptions,
  UpsertOptions,
  UpsertWriteOptions,
} from "./collection/options";
export { GetResult, type GetRow, QueryResult, type QueryRow } from "./collection/results";
export {
  applyConfigUpdate,
  applySchema,
  type ChromaSchema,
  type CollectionConfig,
  type CreateCollectionConfiguration,
  configurationFromSchema,
  DEFAULT_HNSW,
  type HnswConfig,
  type MutableHnswConfig,
  type UpdateCollectionConfiguration,
  validateCollectionName,
} from "./config";
export { toSimilarity } from "./distance";
export * from "./embeddings";
export * from "./errors";
export { evaluateWhere, evaluateWhereDocument, parseWhere, parseWhereDocument } from "./filter";
export type { DocumentNode, WhereNode } from "./filter";
export * from "./types";
export { vacuum, type VacuumOptions, type VacuumResult } from "./engine/maintenance";
export * from "./ops";
export * from "./ops/chroma";
export { CAIRN_VERSION } from "./version";
export {
  type ExportOptions,
  type ExportResult,
  type ExportSink,
  exportCollection,
  type TransferProgress,
} from "./ops/export";
export {
  type ImportOptions,
  type ImportResult,
  type ImportSource,
  importCollection,
} from "./ops/import";
export {
  type EmbeddingEncoding,
  TRANSFER_FORMAT_VERSION,
  type TransferHeader,
} from "./ops/transfer-format";
export {
  ESTIMATE_CONSTANTS,
  type EstimateInput,
  type EstimateResult,
  estimate,
  hnswElementBytes,
  sqliteRowBytes,
} from "./ops/estimate";
