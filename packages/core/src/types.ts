/**
 * Public data types shared by every module of `@cairndb/core`.
 * Shapes follow the official `chromadb` JS client so code moves between the two with few changes.
 */

/** Distance space of a collection. `l2` is squared Euclidean, `cosine` is 1 − cos, `ip` is 1 − dot. */
export type Space = "l2" | "cosine" | "ip";

/**
 * HNSW settings of a collection, as persisted and as Chroma names them (snake_case, like Chroma's
 * `configuration_json.hnsw`). The one definition of these settings: the create / modify configuration types,
 * the vector index's parameters and the HTTP wire shapes are derived from it.
 */
export interface HnswConfig {
  /** Distance space; fixed at creation. */
  space: Space;
  /** Build-time candidate list size; fixed at creation. */
  ef_construction: number;
  /** Graph degree (M); fixed at creation. */
  max_neighbors: number;
  /** Query-time candidate list size; can be modified. */
  ef_search: number;
  /** Accepted for compatibility; Cairn builds on the calling thread. */
  num_threads: number;
  /** Writes buffered in the exact tier before they are flushed into the HNSW graph. */
  batch_size: number;
  /** Unsnapshotted changes after which the index file is rewritten. */
  sync_threshold: number;
  /** Capacity growth factor of the HNSW graph. */
  resize_factor: number;
}

/** Chroma's HNSW defaults. */
export const DEFAULT_HNSW: Readonly<HnswConfig> = Object.freeze({
  space: "l2",
  ef_construction: 100,
  max_neighbors: 16,
  ef_search: 100,
  num_threads: 1,
  batch_size: 100,
  sync_threshold: 1000,
  resize_factor: 1.2,
});

/** A scalar metadata value. Integers and floats are kept apart: `Number.isInteger(v)` decides. */
export type MetadataScalar = string | number | boolean;

/** A metadata value: a scalar or a homogeneous, non-empty array of scalars. */
export type MetadataValue = MetadataScalar | string[] | number[] | boolean[];

/** Record metadata as stored and returned. */
export type Metadata = Record<string, MetadataValue>;

/** Metadata in `update` / `upsert`: a `null` value deletes that key from the stored metadata. */
export type UpdateMetadata = Record<string, MetadataValue | null>;

/** Collection-level metadata: scalars only (as in Chroma). */
export type CollectionMetadata = Record<string, MetadataScalar>;

/** One embedding vector. `Float32Array` is accepted wherever vectors are input. */
export type Embedding = number[];

/** An embedding as accepted on input. */
export type EmbeddingInput = number[] | Float32Array;

/** Fields that `get`/`query` can return besides ids. */
export type IncludeField = "documents" | "embeddings" | "metadatas" | "distances" | "uris";

/**
 * The records of a `get`, column-wise as Chroma returns them: `ids[i]`, `documents[i]`, … describe one record;
 * a field that was not included is `[]`. What backends return and `GetResult` holds.
 */
export interface GetColumns<TMeta extends Metadata = Metadata> {
  ids: string[];
  documents: (string | null)[];
  embeddings: number[][];
  metadatas: (TMeta | null)[];
  uris: (string | null)[];
}

/**
 * The hits of a `query`, column-wise: one inner array per query vector, nearest first (`ids[q][i]` is at
 * `distances[q][i]`); a field that was not included is `[]`. What backends return and `QueryResult` holds.
 */
export interface QueryColumns<TMeta extends Metadata = Metadata> {
  ids: string[][];
  distances: number[][];
  documents: (string | null)[][];
  embeddings: number[][][];
  metadatas: (TMeta | null)[][];
  uris: (string | null)[][];
}

/** Operators of a metadata field clause in `where`. */
export type WhereOperator =
  | "$eq"
  | "$ne"
  | "$gt"
  | "$gte"
  | "$lt"
  | "$lte"
  | "$in"
  | "$nin"
  | "$contains"
  | "$not_contains"
  | "$text_contains"
  | "$exists";

/** The operand object of a field clause, e.g. `{ $gte: 2020 }`. Exactly one operator per object. */
export type WhereOperatorExpression =
  | { $eq: MetadataScalar }
  | { $ne: MetadataScalar }
  | { $gt: number }
  | { $gte: number }
  | { $lt: number }
  | { $lte: number }
  | { $in: MetadataScalar[] }
  | { $nin: MetadataScalar[] }
  | { $contains: MetadataScalar }
  | { $not_contains: MetadataScalar }
  | { $text_contains: string }
  | { $exists: boolean };

/**
 * A metadata filter (Chroma's `where` grammar plus `$text_contains` and `$exists`).
 * Exactly one key per object; combine clauses with `$and` / `$or`.
 * @example { $and: [{ type: "faq" }, { year: { $gte: 2020 } }] }
 */
export type Where =
  | { $and: Where[] }
  | { $or: Where[] }
  | { [key: string]: MetadataScalar | WhereOperatorExpression };

/**
 * A document filter: substring (`$contains`, case-sensitive) and regular expressions (`$regex`, RE2 syntax,
 * linear time). Exactly one key per object.
 * @example { $and: [{ $contains: "refund" }, { $not_regex: "(?i)draft" }] }
 */
export type WhereDocument =
  | { $contains: string }
  | { $not_contains: string }
  | { $regex: string }
  | { $not_regex: string }
  | { $and: WhereDocument[] }
  | { $or: WhereDocument[] };

/** A minimal logger; the library never writes to the console by itself. */
export interface Logger {
  debug(message: string, context?: Record<string, unknown>): void;
  info(message: string, context?: Record<string, unknown>): void;
  warn(message: string, context?: Record<string, unknown>): void;
  error(message: string, context?: Record<string, unknown>): void;
}

/** A logger that drops everything (the default). */
export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
};

/** The persisted identity of a collection's embedding function (never secrets). */
export type EmbeddingFunctionConfig =
  | { type: "known"; name: string; config: Record<string, unknown> }
  | { type: "legacy" };
