/** Option bags of the collection verbs (one object per verb, as in the `chromadb` client). */
import type { UpdateCollectionConfiguration } from "../config";
import type {
  CollectionMetadata,
  EmbeddingInput,
  IncludeField,
  Metadata,
  UpdateMetadata,
  Where,
  WhereDocument,
} from "../types";

/**
 * Options of `add` (and `upsert`). Give `embeddings`, or `documents` for the embedding function to embed.
 * @example await col.add({ ids: ["a", "b"], documents: ["first", "second"], metadatas: [{ year: 2023 }, { year: 2020 }] })
 */
export interface AddOptions {
  ids: string[];
  embeddings?: EmbeddingInput[];
  documents?: (string | null)[];
  metadatas?: (Metadata | null)[];
  uris?: (string | null)[];
}

/**
 * Options of `upsert`: new ids are inserted, existing ones updated in place (metadata merged key by key; a
 * `null` value deletes the key; an omitted or `null` document/uri is kept).
 * @example await col.upsert({ ids: ["a"], documents: ["changed"], metadatas: [{ draft: null }] })
 */
export interface UpsertOptions {
  ids: string[];
  embeddings?: EmbeddingInput[];
  documents?: (string | null)[];
  metadatas?: (UpdateMetadata | null)[];
  uris?: (string | null)[];
}

/**
 * Options of `update`: every id must exist (else `NOT_FOUND`, nothing written). Documents without embeddings
 * are re-embedded. A `null` in `embeddings` means "no new vector for this record": its vector is kept (or,
 * when the same record gets a new document, the document is embedded), so one call can mix new and kept
 * vectors.
 * @example await col.update({ ids: ["a"], metadatas: [{ reviewed: true }] })
 * @example await col.update({ ids: ["a", "b"], embeddings: [[0.1, 0.2], null], metadatas: [null, { reviewed: true }] })
 */
export interface UpdateOptions {
  ids: string[];
  embeddings?: (EmbeddingInput | null)[];
  documents?: (string | null)[];
  metadatas?: (UpdateMetadata | null)[];
  uris?: (string | null)[];
}

/**
 * The second argument of `add`: how ids that already exist are treated.
 * @example await col.add({ ids, embeddings }, { onDuplicate: "ignore" })
 */
export interface AddWriteOptions {
  /**
   * `"error"` (default): an existing id fails the whole call with `DUPLICATE_ID` and nothing is written.
   * `"ignore"`: existing ids are skipped silently (their stored records stay unchanged) and the new ids are
   * written, atomically — what Chroma's `add` does.
   */
  onDuplicate?: "error" | "ignore";
}

/**
 * The second argument of `upsert`: how the metadata of existing records is written.
 * @example await col.upsert({ ids, embeddings, metadatas }, { metadata: "replace" })
 */
export interface UpsertWriteOptions {
  /**
   * `"merge"` (default, as Chroma): given keys overwrite, a `null` value deletes a key, keys not given stay.
   * `"replace"`: each existing record's metadata becomes exactly `metadatas[i]` (a `null` entry, or no
   * `metadatas` at all, leaves it without metadata; `null` values are dropped). One transaction, no read
   * first. Documents and uris behave as in a merging upsert (an omitted or `null` one is kept).
   */
  metadata?: "merge" | "replace";
}

/**
 * Options of `get`: filters are ANDed; results come in insertion order; `limit`/`offset` apply after filters.
 * @example await col.get({ where: { type: "faq" }, limit: 10, include: ["documents"] })
 */
export interface GetOptions {
  ids?: string[];
  where?: Where;
  whereDocument?: WhereDocument;
  limit?: number;
  offset?: number;
  /** Default `["documents", "metadatas"]`. */
  include?: Exclude<IncludeField, "distances">[];
}

/**
 * Options of `query`: nearest neighbours of each query among the records matching the filters.
 * @example await col.query({ queryTexts: ["how do refunds work?"], nResults: 3, where: { type: "faq" } })
 */
export interface QueryOptions {
  queryEmbeddings?: EmbeddingInput[] | EmbeddingInput;
  queryTexts?: string[] | string;
  /** Results per query (default 10). */
  nResults?: number;
  where?: Where;
  whereDocument?: WhereDocument;
  /** Restricts candidates to these ids. */
  ids?: string[];
  /** Default `["metadatas", "documents", "distances"]`. */
  include?: IncludeField[];
}

/**
 * Options of `delete`: by ids and/or filters (ANDed). `{}` deletes nothing.
 * @example await col.delete({ where: { source: "blog" } })
 */
export interface DeleteOptions {
  ids?: string[];
  where?: Where;
  whereDocument?: WhereDocument;
  /** At most this many records (oldest first); needs `where` or `whereDocument`. */
  limit?: number;
}

/** Options of `peek`. */
export interface PeekOptions {
  /** Default 10. */
  limit?: number;
}

/**
 * Options of `modify`. `metadata` replaces the whole map (a `null` value drops a key).
 * @example await col.modify({ name: "docs-v2", configuration: { hnsw: { ef_search: 200 } } })
 */
export interface ModifyOptions {
  name?: string;
  metadata?: CollectionMetadata | Record<string, string | number | boolean | null>;
  configuration?: UpdateCollectionConfiguration;
}

/** The result of `delete`. */
export interface DeleteResult {
  deleted: number;
}
