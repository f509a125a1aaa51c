/**
 * Option bags of `CairnVectorStore`, and the one function that validates them and resolves defaults.
 */
import {
  type CairnClient,
  type CollectionMetadata,
  type CreateCollectionConfiguration,
  EmbeddingError,
  EphemeralClient,
  invalidArgument,
  PersistentClient,
  rejectUnknownKeys,
} from "@cairndb/core";
import type { BaseEmbedding } from "@llamaindex/core/embeddings";
import { Settings } from "@llamaindex/core/global";

/**
 * Arguments of `new CairnVectorStore(options)`.
 *
 * Where the data lives: `path` (a `PersistentClient` the store opens and `close()` closes), `client` (any Cairn
 * client you own: `EphemeralClient`, `PersistentClient`, `HttpClient`), or neither (an in-memory
 * `EphemeralClient` the store owns). The collection is created on first use, vectors-only
 * (`embeddingFunction: null`): LlamaIndex embeds.
 * @example
 * new CairnVectorStore({ collectionName: "docs", path: "./cairn_db", embedModel: myEmbedding });
 * new CairnVectorStore({ collectionName: "docs", client: myClient }); // embedModel from Settings.embedModel
 */
export interface CairnVectorStoreOptions {
  /** The collection to use; created with `getOrCreateCollection` on first use. */
  collectionName: string;
  /** A database folder: the store opens (and `close()` closes) a `PersistentClient` there. */
  path?: string;
  /** A Cairn client you created and close yourself. */
  client?: CairnClient;
  /**
   * The embedding model `VectorStoreIndex` uses to embed nodes for this store. Default: `Settings.embedModel`
   * from `@llamaindex/core/global`, read once, here (see the docs on the two-copies trap).
   */
  embedModel?: BaseEmbedding;
  /** LlamaIndex's older spelling of `embedModel`. */
  embeddingModel?: BaseEmbedding;
  /** Collection metadata, used only when the collection is created. */
  collectionMetadata?: CollectionMetadata;
  /**
   * Creation-time collection configuration. Used only when the collection is created. The distance space
   * defaults to `cosine` (LlamaIndex's own similarity) unless set here or by `collectionMetadata["hnsw:space"]`.
   * @example { hnsw: { space: "l2", max_neighbors: 32 } }
   */
  configuration?: CreateCollectionConfiguration;
}

/**
 * Store-specific query parameters, passed as `customParams` (e.g. `index.asRetriever({ customParams })`).
 * @example index.asRetriever({ mode: "mmr", similarityTopK: 3, customParams: { mmrPrefetchK: 50 } })
 */
export interface CairnQueryParams {
  /** MMR: how many nearest neighbours to fetch before re-ranking. Default `max(4 × similarityTopK, 20)`. */
  mmrPrefetchK?: number;
}

const OPTION_KEYS = [
  "collectionName",
  "path",
  "client",
  "embedModel",
  "embeddingModel",
  "collectionMetadata",
  "configuration",
] as const;

/** Options with defaults resolved. */
export interface ResolvedOptions {
  collectionName: string;
  client: CairnClient;
  /** Whether the store created the client (and so closes it). */
  ownsClient: boolean;
  embedModel: BaseEmbedding;
  collectionMetadata: CollectionMetadata | undefined;
  configuration: CreateCollectionConfiguration;
}

/**
 * Validates the constructor options and resolves the defaults (client, embedding model, distance space).
 * @throws InvalidArgumentError for unknown keys, a missing collection name, or both `path` and `client`.
 * @throws EmbeddingError `EMBEDDING_FUNCTION_MISSING` when no embedding model is passed or set in Settings.
 */
export function resolveOptions(options: CairnVectorStoreOptions): ResolvedOptions {
  if (options === null || typeof options !== "object") {
    throw invalidArgument("options", "expected { collectionName, path? | client?, embedModel? }");
  }
  rejectUnknownKeys(options, OPTION_KEYS, "CairnVectorStore");
  const { collectionName, path, client } = options;
  if (typeof collectionName !== "string" || collectionName.length === 0) {
    throw invalidArgument("collectionName", "expected the name of the collection to use");
  }
  if (path !== undefined && client !== undefined) {
    throw invalidArgument(
      "path",
      "give either path (the store opens a PersistentClient) or client, not both",
    );
  }
  const embedModel = resolveEmbedModel(options);
  return {
    collectionName,
    client: client ?? (path === undefined ? new EphemeralClient() : new PersistentClient({ path })),
    ownsClient: client === undefined,
    embedModel,
    collectionMetadata: options.collectionMetadata,
    configuration: withDefaultSpace(options.configuration, options.collectionMetadata),
  };
}

function resolveEmbedModel(options: CairnVectorStoreOptions): BaseEmbedding {
  const given = options.embedModel ?? options.embeddingModel;
  if (given) return given;
  try {
    return Settings.embedModel;
  } catch (cause) {
    throw new EmbeddingError(
      "EMBEDDING_FUNCTION_MISSING",
      "CairnVectorStore: no embedding model. Pass { embedModel } or set Settings.embedModel before creating the " +
        "store. If you did set Settings.embedModel, your app loads a second copy of @llamaindex/core (or mixes " +
        "its ESM and CommonJS builds), whose Settings this package cannot see: pin @llamaindex/core and " +
        "@llamaindex/env with your package manager's overrides, or pass embedModel explicitly.",
      { cause },
    );
  }
}

/** Adds `space: "cosine"` unless the caller chose a space (in the configuration or the legacy metadata key). */
function withDefaultSpace(
  configuration: CreateCollectionConfiguration | undefined,
  metadata: CollectionMetadata | undefined,
): CreateCollectionConfiguration {
  const config = configuration ?? {};
  if (metadata?.["hnsw:space"] !== undefined || config.hnsw?.space || config.spann?.space) return config;
  if (config.spann) return { ...config, spann: { ...config.spann, space: "cosine" } };
  return { ...config, hnsw: { ...config.hnsw, space: "cosine" } };
}
