/**
 * Request and response shapes of Chroma's REST API v2 (snake_case), as named component schemas. Requests are
 * checked against them before a handler runs; `/openapi.json` publishes them.
 */
import type { HnswConfig } from "@cairndb/core";
import {
  anyOf,
  anyValue,
  arr,
  bool,
  nul,
  nullable,
  num,
  obj,
  oneOfStrings,
  record,
  ref,
  type Schema,
  str,
  u32,
} from "./schema";

const scalar = anyOf(str(), num(), bool());
const space = oneOfStrings("l2", "cosine", "ip");
const include = arr(oneOfStrings("distances", "documents", "embeddings", "metadatas", "uris"));
/** A filter object; its grammar is checked by Cairn's filter parser (400 `INVALID_FILTER`). */
const filter: Schema = {
  type: "object",
  description: "a `where` / `where_document` filter (Chroma grammar)",
};
const ids = arr(str());

const embeddingFunction = anyOf(
  obj({ type: oneOfStrings("legacy") }, ["type"]),
  obj({ type: oneOfStrings("known"), name: str(), config: anyValue }, ["type", "name", "config"]),
);

/** Chroma's `hnsw` configuration fields, keyed by core's one HNSW settings type so the two cannot drift. */
const hnswFields: { [K in keyof HnswConfig]: Schema } = {
  space: nullable(space),
  ef_construction: nullable(u32()),
  ef_search: nullable(u32()),
  max_neighbors: nullable(u32()),
  num_threads: nullable(u32()),
  resize_factor: nullable(num()),
  sync_threshold: nullable(u32()),
  batch_size: nullable(u32()),
};
const hnswCreate = obj(hnswFields);

const spannCreate = obj({
  space: nullable(space),
  search_nprobe: nullable(u32()),
  write_nprobe: nullable(u32()),
  ef_construction: nullable(u32()),
  ef_search: nullable(u32()),
  max_neighbors: nullable(u32()),
  reassign_neighbor_count: nullable(u32()),
  split_threshold: nullable(u32()),
  merge_threshold: nullable(u32()),
});

/**
 * Chroma's update schema: every field but `space` and `ef_construction`. It lists `max_neighbors`, which core
 * refuses as creation-time with a clear error (rather than the schema's generic "unknown field").
 */
const hnswUpdate = obj(
  Object.fromEntries(
    Object.entries(hnswFields).filter(([key]) => key !== "space" && key !== "ef_construction"),
  ),
);

/** A vector as JSON numbers, or base64 of its float32 little-endian bytes (writes only). */
const vectorIn = anyOf(arr(num()), str("base64 of float32 little-endian bytes"));
const recordMetadata = record(anyOf(scalar, nul(), arr(scalar)));

const writeFields = (embeddings: Schema): Record<string, Schema> => ({
  ids,
  embeddings,
  documents: nullable(arr(nullable(str()))),
  metadatas: nullable(arr(nullable(recordMetadata))),
  uris: nullable(arr(nullable(str()))),
});

const collectionJson = obj({
  id: str(),
  name: str(),
  configuration_json: obj({
    hnsw: nullable(
      obj({
        space,
        ef_construction: u32(),
        ef_search: u32(),
        max_neighbors: u32(),
        resize_factor: num(),
        sync_threshold: u32(),
      }),
    ),
    spann: nul(),
    embedding_function: nullable(embeddingFunction),
  }),
  metadata: nullable(record(scalar)),
  dimension: nullable(u32()),
  tenant: str(),
  database: str(),
  log_position: u32(),
  version: u32(),
  schema: nul(),
});

const column = (item: Schema): Schema => nullable(arr(item));

/** Every named schema (`#/components/schemas/<name>`). */
export const COMPONENTS: Record<string, Schema> = {
  ErrorResponse: obj(
    { error: str("Chroma's error kind"), message: str(), code: str("Cairn's stable error code") },
    ["error", "message"],
  ),
  EmbeddingFunctionConfiguration: embeddingFunction,
  CreateCollectionPayload: obj(
    {
      name: str(),
      configuration: nullable(
        obj({
          hnsw: nullable(hnswCreate),
          spann: nullable(spannCreate),
          embedding_function: nullable(ref("EmbeddingFunctionConfiguration")),
        }),
      ),
      metadata: nullable(record(scalar)),
      get_or_create: nullable(bool()),
      schema: anyValue,
    },
    ["name"],
  ),
  UpdateCollectionPayload: obj({
    new_name: nullable(str()),
    new_metadata: nullable(record(anyOf(scalar, nul()))),
    new_configuration: nullable(
      obj({
        hnsw: nullable(hnswUpdate),
        spann: nullable(obj({ search_nprobe: nullable(u32()), ef_search: nullable(u32()) })),
        embedding_function: nullable(ref("EmbeddingFunctionConfiguration")),
      }),
    ),
  }),
  ForkCollectionPayload: obj({ new_name: str() }, ["new_name"]),
  AddCollectionRecordsPayload: obj(
    {
      ...writeFields(arr(vectorIn)),
      cairn: nullable(obj({ on_duplicate: nullable(oneOfStrings("error", "ignore")) })),
    },
    ["ids", "embeddings"],
  ),
  UpsertCollectionRecordsPayload: obj(
    {
      ...writeFields(arr(vectorIn)),
      cairn: nullable(obj({ metadata: nullable(oneOfStrings("merge", "replace")) })),
    },
    ["ids", "embeddings"],
  ),
  UpdateCollectionRecordsPayload: obj(writeFields(nullable(arr(nullable(vectorIn)))), ["ids"]),
  GetRequestPayload: obj({
    ids: nullable(ids),
    where: nullable(filter),
    where_document: nullable(filter),
    include: nullable(include),
    limit: nullable(u32()),
    offset: nullable(u32()),
  }),
  QueryRequestPayload: obj(
    {
      query_embeddings: arr(arr(num())),
      n_results: nullable(u32()),
      ids: nullable(ids),
      where: nullable(filter),
      where_document: nullable(filter),
      include: nullable(include),
    },
    ["query_embeddings"],
  ),
  DeleteCollectionRecordsPayload: obj({
    ids: nullable(ids),
    where: nullable(filter),
    where_document: nullable(filter),
    limit: nullable(u32()),
  }),
  SearchRequestPayload: obj({ searches: arr(anyValue), read_level: nullable(str()) }, ["searches"]),
  CreateTenantPayload: obj({ name: str() }, ["name"]),
  UpdateTenantPayload: obj({ resource_name: str() }, ["resource_name"]),
  CreateDatabasePayload: obj({ name: str() }, ["name"]),
  Collection: collectionJson,
  Database: obj({ id: str(), name: str(), tenant: str() }),
  GetResponse: obj({
    ids,
    embeddings: column(arr(num())),
    documents: column(nullable(str())),
    uris: column(nullable(str())),
    metadatas: column(nullable(recordMetadata)),
    include,
  }),
  QueryResponse: obj({
    ids: arr(ids),
    embeddings: column(arr(arr(num()))),
    documents: column(arr(nullable(str()))),
    uris: column(arr(nullable(str()))),
    metadatas: column(arr(nullable(recordMetadata))),
    distances: column(arr(nullable(num()))),
    include,
  }),
};

/** Resolves `#/components/schemas/<name>`. */
export function resolveComponent(reference: string): Schema {
  const schema = COMPONENTS[reference.replace("#/components/schemas/", "")];
  if (!schema) throw new Error(`unknown schema reference ${reference}`);
  return schema;
}
