/**
 * Core objects → Chroma's JSON shapes (chroma-compat §2.3), and the decoding of base64 float32 embeddings.
 */
import type { Collection, GetResult, IncludeField, QueryResult } from "@cairndb/core";
import { RequestError } from "./errors";

/** A collection as Chroma 1.x describes it (`configuration_json`, `log_position`, `version`, `schema: null`). */
export function collectionJson(collection: Collection): Record<string, unknown> {
  const { hnsw, embedding_function } = collection.configuration;
  return {
    id: collection.id,
    name: collection.name,
    configuration_json: {
      // The keys Chroma echoes; `num_threads` and `batch_size` are accepted but not echoed (as in Chroma).
      hnsw: {
        space: hnsw.space,
        ef_construction: hnsw.ef_construction,
        ef_search: hnsw.ef_search,
        max_neighbors: hnsw.max_neighbors,
        resize_factor: hnsw.resize_factor,
        sync_threshold: hnsw.sync_threshold,
      },
      spann: null,
      embedding_function: embedding_function ?? null,
    },
    metadata: collection.metadata ?? null,
    dimension: collection.dimension,
    tenant: collection.tenant,
    database: collection.database,
    log_position: 0,
    version: 0,
    schema: null,
  };
}

const column = <T>(include: readonly string[], field: IncludeField, values: T): T | null =>
  include.includes(field) ? values : null;

/** A get response: fields that were not included are `null`; `include` echoes the request. */
export function getResultJson(result: GetResult, include: readonly string[]): Record<string, unknown> {
  return {
    ids: result.ids,
    embeddings: column(include, "embeddings", result.embeddings),
    documents: column(include, "documents", result.documents),
    uris: column(include, "uris", result.uris),
    metadatas: column(include, "metadatas", result.metadatas),
    include,
  };
}

/** A query response: one inner array per query vector. */
export function queryResultJson(result: QueryResult, include: readonly string[]): Record<string, unknown> {
  return {
    ids: result.ids,
    embeddings: column(include, "embeddings", result.embeddings),
    documents: column(include, "documents", result.documents),
    uris: column(include, "uris", result.uris),
    metadatas: column(include, "metadatas", result.metadatas),
    distances: column(include, "distances", result.distances),
    include,
  };
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Decodes one base64 float32 little-endian vector. */
export function base64ToVector(text: string, path: string): Float32Array {
  if (text.length % 4 !== 0 || !BASE64.test(text)) {
    throw new RequestError(
      400,
      "INVALID_ARGUMENT",
      `${path}: not valid base64 (expected base64 of float32 little-endian bytes)`,
    );
  }
  const bytes = Buffer.from(text, "base64");
  if (bytes.length % 4 !== 0) {
    throw new RequestError(
      400,
      "INVALID_ARGUMENT",
      `${path}: ${bytes.length} bytes is not a whole number of float32 values`,
    );
  }
  const out = new Float32Array(bytes.length / 4);
  for (let i = 0; i < out.length; i++) out[i] = bytes.readFloatLE(i * 4);
  return out;
}

/** A wire embedding (JSON numbers or base64) as core accepts it; `null` stays `null` (update: keep the vector). */
export function decodeEmbedding(
  value: number[] | string | null,
  path: string,
): number[] | Float32Array | null {
  return typeof value === "string" ? base64ToVector(value, path) : value;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Record operations address a collection by UUID (Chroma: 400 otherwise). */
export function expectUuid(id: string): string {
  if (!UUID.test(id))
    throw new RequestError(
      400,
      "INVALID_ARGUMENT",
      `Collection ID is not a valid UUIDv4: ${JSON.stringify(id)}`,
    );
  return id;
}
