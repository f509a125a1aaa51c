/**
 * Chroma REST API v2 wire shapes (snake_case JSON) and their conversion to and from the backend's types.
 * Shared knowledge of the HttpClient; the server has its own copy of the response side in @cairndb/server.
 */
import type { CollectionDescription, DatabaseDescription } from "../collection/backend";
import type { ValidatedSelection, ValidatedWrite } from "../collection/validate";
import { type CollectionConfig, DEFAULT_HNSW, type HnswConfig } from "../config";
import { float32ToBytes } from "../internal";
import type {
  CollectionMetadata,
  EmbeddingFunctionConfig,
  GetColumns,
  IncludeField,
  Metadata,
  QueryColumns,
  Space,
} from "../types";

/** A collection as the server sends it (`GET …/collections/{name}` and friends). */
export interface CollectionJson {
  id: string;
  name: string;
  configuration_json?: {
    hnsw?: Partial<HnswConfig> | null;
    spann?: { space?: Space; ef_search?: number } | null;
    embedding_function?: EmbeddingFunctionConfig | null;
  } | null;
  metadata?: CollectionMetadata | null;
  dimension?: number | null;
  tenant: string;
  database: string;
}

/** The body of `POST …/get`. */
export interface GetResponseJson {
  ids: string[];
  embeddings?: (number[] | null)[] | null;
  documents?: (string | null)[] | null;
  uris?: (string | null)[] | null;
  metadatas?: (Metadata | null)[] | null;
}

/** The body of `POST …/query`: one inner array per query vector. */
export interface QueryResponseJson {
  ids: string[][];
  embeddings?: (number[] | null)[][] | null;
  documents?: (string | null)[][] | null;
  uris?: (string | null)[][] | null;
  metadatas?: (Metadata | null)[][] | null;
  distances?: (number | null)[][] | null;
}

/** The body of `GET /api/v2/pre-flight-checks`. */
export interface PreflightJson {
  max_batch_size?: number;
  supports_base64_encoding?: boolean;
  /** A Cairn server's extension: it honours the `cairn` write-options field of add and upsert bodies. */
  cairn_write_options?: boolean;
}

/**
 * The Cairn extension field of add and upsert bodies (a Cairn server reads it; Chroma's schema has no such
 * field): `on_duplicate` of add, `metadata` of upsert.
 */
export interface CairnWriteOptionsJson {
  on_duplicate?: "error" | "ignore";
  metadata?: "merge" | "replace";
}

/** Rebuilds a description; settings the server does not echo (e.g. `batch_size`) take their defaults. */
export function toDescription(json: CollectionJson): CollectionDescription {
  const config = json.configuration_json ?? {};
  const hnsw: HnswConfig = { ...DEFAULT_HNSW, ...(config.hnsw ?? {}) };
  // A Chroma server that was given a spann configuration reports it there instead of under hnsw.
  if (!config.hnsw && config.spann) {
    if (config.spann.space) hnsw.space = config.spann.space;
    if (config.spann.ef_search) hnsw.ef_search = config.spann.ef_search;
  }
  const configuration: CollectionConfig = { hnsw, embedding_function: config.embedding_function ?? null };
  return {
    id: json.id,
    name: json.name,
    tenant: json.tenant,
    database: json.database,
    metadata: json.metadata ?? null,
    configuration,
    dimension: json.dimension ?? null,
  };
}

/** The `configuration` of a create request. */
export function toWireConfiguration(config: CollectionConfig): Record<string, unknown> {
  return { hnsw: { ...config.hnsw }, embedding_function: config.embedding_function };
}

/** A database row as sent by the server. */
export function toDatabase(
  json: { id?: string; name: string; tenant?: string },
  tenant: string,
): DatabaseDescription {
  return { id: json.id ?? "", name: json.name, tenant: json.tenant ?? tenant };
}

/** Base64 of a vector's float32 little-endian bytes (what `supports_base64_encoding` servers accept). */
export function vectorToBase64(vector: Float32Array): string {
  return float32ToBytes(vector).toString("base64");
}

/**
 * The body of add / upsert / update. Update may carry holes in `embeddings` (a record whose vector stays), sent
 * as `null` as Chroma's update payload allows.
 */
export function toWriteBody(batch: ValidatedWrite, base64: boolean): Record<string, unknown> {
  const body: Record<string, unknown> = { ids: batch.ids };
  if (batch.embeddings) {
    body.embeddings = batch.embeddings.map((v) => (v ? (base64 ? vectorToBase64(v) : Array.from(v)) : null));
  }
  if (batch.documents) body.documents = batch.documents;
  if (batch.metadatas) body.metadatas = batch.metadatas;
  if (batch.uris) body.uris = batch.uris;
  return body;
}

/** The `ids` / `where` / `where_document` part of get, query and delete bodies. */
export function toSelectionBody(selection: ValidatedSelection): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  if (selection.ids) body.ids = selection.ids;
  if (selection.where) body.where = selection.where.raw;
  if (selection.whereDocument) body.where_document = selection.whereDocument.raw;
  return body;
}

/**
 * A wire column of an included field as the result shapes hold it: the server's array when it is complete,
 * else one entry per record with absent columns and `null` entries read as `fill()` (`null` for documents,
 * metadatas and uris, `[]` for embeddings, `NaN` for distances).
 */
function column<T, F>(values: (T | null)[] | null | undefined, length: number, fill: () => F): (T | F)[] {
  if (values && values.length === length && (fill() === null || values.every((v) => v !== null)))
    return values as (T | F)[];
  return Array.from({ length }, (_, i) => values?.[i] ?? fill());
}

const nothing = () => null;
const noEmbedding = (): number[] => [];
const noDistance = () => Number.NaN;

/** The columns of a get response as the server sent them (excluded fields `[]`). */
export function columnsFromGet(json: GetResponseJson, include: IncludeField[]): GetColumns {
  const n = json.ids.length;
  return {
    ids: json.ids,
    documents: include.includes("documents") ? column(json.documents, n, nothing) : [],
    embeddings: include.includes("embeddings") ? column(json.embeddings, n, noEmbedding) : [],
    metadatas: include.includes("metadatas") ? column(json.metadatas, n, nothing) : [],
    uris: include.includes("uris") ? column(json.uris, n, nothing) : [],
  };
}

/** The columns of a query response as the server sent them: one inner array per query vector. */
export function columnsFromQuery(json: QueryResponseJson, include: IncludeField[]): QueryColumns {
  const has = (field: IncludeField) => include.includes(field);
  const sizes = json.ids.map((ids) => ids.length);
  return {
    ids: json.ids,
    distances: has("distances") ? sizes.map((n, q) => column(json.distances?.[q], n, noDistance)) : [],
    documents: has("documents") ? sizes.map((n, q) => column(json.documents?.[q], n, nothing)) : [],
    embeddings: has("embeddings") ? sizes.map((n, q) => column(json.embeddings?.[q], n, noEmbedding)) : [],
    metadatas: has("metadatas") ? sizes.map((n, q) => column(json.metadatas?.[q], n, nothing)) : [],
    uris: has("uris") ? sizes.map((n, q) => column(json.uris?.[q], n, nothing)) : [],
  };
}
