/**
 * Option bags of `CairnVectorStore`, and the one function that validates them and resolves defaults.
 */
import {
  type CairnClient,
  type CollectionMetadata,
  type CreateCollectionConfiguration,
  EphemeralClient,
  invalidArgument,
  PersistentClient,
  rejectUnknownKeys,
  type Where,
  type WhereDocument,
} from "@cairndb/core";

/**
 * What a search reports next to each document: `"similarity"` (default; higher is better, from core's
 * `toSimilarity` for the collection's space) or `"distance"` (Cairn's raw distance; lower is better).
 */
export type ScoreKind = "similarity" | "distance";

/**
 * Arguments of `new CairnVectorStore(embeddings, args)` and of the static constructors.
 * Where the data lives: `path` (a `PersistentClient` the store owns), `client` (any Cairn client you own:
 * ephemeral, persistent or `HttpClient`), or neither (an in-memory `EphemeralClient` the store owns).
 * @example
 * new CairnVectorStore(embeddings, { collectionName: "docs", path: "./cairn_db" });
 * new CairnVectorStore(embeddings, { collectionName: "docs", client: myClient, configuration: { hnsw: { space: "cosine" } } });
 */
export interface CairnVectorStoreArgs {
  /** The collection to use; created on first use with `getOrCreateCollection`. */
  collectionName: string;
  /** A database folder: the store opens (and `close()` closes) a `PersistentClient` there. */
  path?: string;
  /** A Cairn client you created (and close yourself): `EphemeralClient`, `PersistentClient`, `HttpClient`. */
  client?: CairnClient;
  /** Collection metadata, used only when the collection is created. */
  collectionMetadata?: CollectionMetadata;
  /**
   * Creation-time collection configuration, e.g. the distance space (default `l2`). Used only when the
   * collection is created; an existing collection keeps its own.
   * @example { hnsw: { space: "cosine" } }
   */
  configuration?: CreateCollectionConfiguration;
  /** Expected vector length: every vector written or queried is checked against it. */
  numDimensions?: number;
  /** The score reported by `similaritySearchWithScore` & co. Default `"similarity"` (higher is better). */
  score?: ScoreKind;
}

/**
 * Per-call options of `CairnVectorStore.search` (and of `similaritySearchVectorWithScore`'s fourth argument).
 * @example await store.search("refund policy", { k: 3, filter: { type: "faq" }, whereDocument: { $contains: "refund" } })
 */
export interface CairnSearchOptions {
  /** How many documents to return (default 4). */
  k?: number;
  /** A Cairn `where` filter on metadata (dotted keys address nested metadata). */
  filter?: Where;
  /** A Cairn `whereDocument` filter on the document text (`$contains`, `$regex`, …). */
  whereDocument?: WhereDocument;
  /** Overrides the store's `score` setting for this call. */
  score?: ScoreKind;
}

/**
 * Options of `addDocuments` / `addVectors`.
 * @example await store.addDocuments(docs, { ids: ["a", "b"] })
 */
export interface CairnAddOptions {
  /** Ids by position; an id wins over `Document.id`, which wins over a generated UUID. */
  ids?: (string | null | undefined)[];
}

/**
 * What `delete` removes: records with these ids, records matching the filters, or (both given) those ids
 * that also match. Missing ids are ignored.
 * @example await store.delete({ ids: ["a", "b"] }); await store.delete({ filter: { source: "old.md" } })
 */
export interface CairnDeleteParams {
  ids?: string[];
  filter?: Where;
  whereDocument?: WhereDocument;
}

/** The resolved settings of a store. */
export interface ResolvedStoreArgs {
  collectionName: string;
  client: CairnClient;
  /** Whether the store created the client (and so closes it). */
  ownsClient: boolean;
  collectionMetadata: CollectionMetadata | undefined;
  configuration: CreateCollectionConfiguration | undefined;
  numDimensions: number | undefined;
  score: ScoreKind;
}

const ARG_KEYS = [
  "collectionName",
  "path",
  "client",
  "collectionMetadata",
  "configuration",
  "numDimensions",
  "score",
];

/** Validates the score kind. */
export function checkScoreKind(value: unknown, path: string): ScoreKind {
  if (value === "similarity" || value === "distance") return value;
  throw invalidArgument(path, `expected "similarity" or "distance", got ${JSON.stringify(value)}`);
}

/**
 * Validates the constructor arguments and resolves the client.
 * @throws InvalidArgumentError (`UNKNOWN_OPTION` for a misspelt key, `INVALID_ARGUMENT` otherwise).
 */
export function resolveStoreArgs(args: CairnVectorStoreArgs): ResolvedStoreArgs {
  if (args === null || typeof args !== "object") {
    throw invalidArgument(
      "CairnVectorStore",
      'expected an options object such as { collectionName: "docs" }',
    );
  }
  rejectUnknownKeys(args, ARG_KEYS, "CairnVectorStore");
  if (typeof args.collectionName !== "string" || args.collectionName.length === 0) {
    throw invalidArgument(
      "collectionName",
      'expected the name of the collection, e.g. { collectionName: "docs" }',
    );
  }
  if (args.path !== undefined && args.client !== undefined) {
    throw invalidArgument(
      "path",
      "give either `path` (the store opens a PersistentClient) or `client`, not both",
    );
  }
  const n = args.numDimensions;
  if (n !== undefined && (!Number.isInteger(n) || n <= 0)) {
    throw invalidArgument("numDimensions", `expected a positive integer, got ${n}`);
  }
  const client =
    args.client ??
    (args.path !== undefined ? new PersistentClient({ path: args.path }) : new EphemeralClient());
  return {
    collectionName: args.collectionName,
    client,
    ownsClient: args.client === undefined,
    collectionMetadata: args.collectionMetadata,
    configuration: args.configuration,
    numDimensions: n,
    score: args.score === undefined ? "similarity" : checkScoreKind(args.score, "score"),
  };
}
