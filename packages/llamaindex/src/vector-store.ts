/**
 * `CairnVectorStore`: a LlamaIndex.TS vector store over one Cairn collection (in memory, on disk, or remote).
 */
import {
  type CairnClient,
  type Collection,
  type IncludeField,
  invalidArgument,
  type Metadata,
  type QueryResult,
  toSimilarity,
  UnsupportedError,
  type Where,
} from "@cairndb/core";
import type { BaseNode } from "@llamaindex/core/schema";
import {
  BaseVectorStore,
  type VectorStoreQuery,
  type VectorStoreQueryResult,
} from "@llamaindex/core/vector-store";
import { toWhere } from "./filters";
import { DEFAULT_MMR_THRESHOLD, selectMmr } from "./mmr";
import {
  type CairnQueryParams,
  type CairnVectorStoreOptions,
  type ResolvedOptions,
  resolveOptions,
} from "./options";
import { nodeToRecord, recordToNode } from "./records";

/** Modes that need Cairn's hybrid (vector + full-text) search, which does not exist yet. */
const HYBRID_MODES = new Set(["hybrid", "sparse", "semantic_hybrid"]);

/**
 * A LlamaIndex.TS `BaseVectorStore` backed by a Cairn collection. It stores text (`storesText = true`), so
 * `VectorStoreIndex.fromVectorStore(store)` rebuilds an index from the collection alone.
 *
 * - `add(nodes)` upserts id, embedding, text and metadata (nested metadata is flattened to dotted keys and
 *   restored on read; see `flattenMetadata`), with the source document's id in `ref_doc_id`.
 * - `delete(refDocId)` removes every node of that source document in one `delete({ where })` call.
 * - `query()` honours `similarityTopK`, `docIds` (node ids or source document ids), `filters` (all 13
 *   operators, via {@link toWhere}) and the modes `default` and `mmr`; similarities are higher-is-better,
 *   from core's `toSimilarity` for the collection's space (cosine by default).
 *
 * @example
 * const store = new CairnVectorStore({ collectionName: "docs", path: "./cairn_db", embedModel });
 * const storageContext = await storageContextFromDefaults({ vectorStore: store });
 * const index = await VectorStoreIndex.fromDocuments(documents, { storageContext });
 * const reopened = await VectorStoreIndex.fromVectorStore(store);
 */
export class CairnVectorStore extends BaseVectorStore<Promise<Collection>, CairnQueryParams> {
  /** Text lives in the collection (documents), not in a LlamaIndex docStore. */
  storesText = true;
  /** The collection's name. */
  readonly collectionName: string;
  readonly #options: ResolvedOptions;
  #collection: Promise<Collection> | undefined;

  /** @throws see `resolveOptions`: unknown options, `path` with `client`, no embedding model. */
  constructor(options: CairnVectorStoreOptions) {
    const resolved = resolveOptions(options);
    super({ embedModel: resolved.embedModel });
    this.#options = resolved;
    this.collectionName = resolved.collectionName;
  }

  /** The Cairn client the store works through (its own, or the one passed as `client`). */
  get cairnClient(): CairnClient {
    return this.#options.client;
  }

  /** The Cairn collection, created (vectors-only) on first use. */
  client(): Promise<Collection> {
    if (!this.#collection) {
      const { client, collectionName, collectionMetadata, configuration } = this.#options;
      this.#collection = client.getOrCreateCollection({
        name: collectionName,
        ...(collectionMetadata ? { metadata: collectionMetadata } : {}),
        configuration,
        embeddingFunction: null,
      });
      // A failed open (bad name, closed client) must not stick: the next call tries again.
      this.#collection.catch(() => {
        this.#collection = undefined;
      });
    }
    return this.#collection;
  }

  /**
   * Upserts nodes (they must carry embeddings). Re-adding a node id replaces that node entirely: metadata keys
   * it no longer has are removed. Returns the node ids.
   */
  async add(nodes: BaseNode[]): Promise<string[]> {
    if (!Array.isArray(nodes)) throw invalidArgument("nodes", "expected an array of nodes");
    if (nodes.length === 0) return [];
    const records = nodes.map((node, i) => nodeToRecord(node, `nodes[${i}]`));
    const collection = await this.client();
    // Re-adding a node replaces its metadata: one replacing upsert, one transaction, no read first.
    await collection.upsert(
      {
        ids: records.map((r) => r.id),
        embeddings: records.map((r) => r.embedding),
        documents: records.map((r) => r.document),
        metadatas: records.map((r) => r.metadata),
      },
      { metadata: "replace" },
    );
    return records.map((r) => r.id);
  }

  /** Deletes every node whose source document is `refDocId` (a missing id deletes nothing). */
  async delete(refDocId: string): Promise<void> {
    if (typeof refDocId !== "string" || refDocId.length === 0) {
      throw invalidArgument("refDocId", "expected the id of a source document");
    }
    const collection = await this.client();
    await collection.delete({ where: { ref_doc_id: refDocId } });
  }

  /**
   * Nearest nodes to `query.queryEmbedding`, most similar first, with `nodes` and `similarities` aligned with
   * `ids`. Modes: `default`, and `mmr` (LlamaIndex's definition, `mmrThreshold` = λ, default 0.5, re-ranking
   * the `customParams.mmrPrefetchK` nearest). Other modes throw `UNSUPPORTED`.
   */
  async query(query: VectorStoreQuery<CairnQueryParams>): Promise<VectorStoreQueryResult> {
    const mode = query.mode ?? "default";
    checkMode(mode);
    const vector = query.queryEmbedding;
    if (!Array.isArray(vector) || vector.length === 0) {
      throw invalidArgument(
        "query.queryEmbedding",
        "expected the query's embedding (a non-empty number array)",
      );
    }
    const topK = query.similarityTopK;
    if (!Number.isInteger(topK) || topK < 1) {
      throw invalidArgument("query.similarityTopK", `expected a positive integer, got ${topK}`);
    }
    const mmr = mode === "mmr";
    const lambda = query.mmrThreshold ?? DEFAULT_MMR_THRESHOLD;
    if (mmr && !(lambda >= 0 && lambda <= 1)) {
      throw invalidArgument("query.mmrThreshold", `expected a number from 0 to 1, got ${lambda}`);
    }
    const nResults = mmr ? prefetchK(query) : topK;
    const where = toWhere(query.filters);
    const { docIds } = query;
    if (docIds !== undefined && (!Array.isArray(docIds) || docIds.some((id) => typeof id !== "string"))) {
      throw invalidArgument("query.docIds", "expected an array of node or document ids");
    }
    // Everything is validated; now the I/O.
    const collection = await this.client();
    const ids = docIds === undefined ? undefined : await this.#candidateIds(collection, docIds);
    if (ids?.length === 0) return { ids: [], similarities: [], nodes: [] };
    const include: IncludeField[] = [
      "documents",
      "metadatas",
      "distances",
      ...(mmr ? (["embeddings"] as const) : []),
    ];
    const result = await collection.query({
      queryEmbeddings: [vector],
      nResults,
      ...(where ? { where } : {}),
      ...(ids ? { ids } : {}),
      include,
    });
    const picked = mmr
      ? selectMmr(vector, result.embeddings[0] ?? [], topK, lambda)
      : (result.ids[0] ?? []).map((_, i) => i);
    return toQueryResult(result, picked, collection);
  }

  /** `docIds` may name nodes (as SimpleVectorStore reads them) or source documents (as Python does). */
  async #candidateIds(collection: Collection, docIds: string[]): Promise<string[]> {
    if (docIds.length === 0) return [];
    const children = await collection.get({ where: byRefDocIds(docIds), include: [] });
    return [...new Set([...docIds, ...children.ids])];
  }

  /** Releases the client if the store opened it (`path`, or neither `path` nor `client`); else a no-op. */
  async close(): Promise<void> {
    if (this.#options.ownsClient) await this.#options.client.close();
  }
}

function byRefDocIds(ids: string[]): Where {
  return ids.length === 1 ? { ref_doc_id: ids[0] as string } : { ref_doc_id: { $in: ids } };
}

function checkMode(mode: string): void {
  if (mode === "default" || mode === "mmr") return;
  const why = HYBRID_MODES.has(mode)
    ? "it needs hybrid (vector + full-text) search, which Cairn does not have yet"
    : "CairnVectorStore implements only the default (nearest neighbours) and mmr modes";
  throw new UnsupportedError(
    "UNSUPPORTED",
    `query.mode: "${mode}" is not supported: ${why}. Use mode "default" or "mmr".`,
    { details: { path: "query.mode", mode } },
  );
}

function prefetchK(query: VectorStoreQuery<CairnQueryParams>): number {
  const given = query.customParams?.mmrPrefetchK;
  if (given === undefined) return Math.max(4 * query.similarityTopK, 20);
  if (!Number.isInteger(given) || given < query.similarityTopK) {
    throw invalidArgument(
      "query.customParams.mmrPrefetchK",
      `expected an integer >= similarityTopK (${query.similarityTopK}), got ${given}`,
    );
  }
  return given;
}

function toQueryResult(
  result: QueryResult,
  picked: number[],
  collection: Collection,
): VectorStoreQueryResult {
  const space = collection.configuration.hnsw.space;
  const ids = result.ids[0] ?? [];
  const documents = result.documents[0] ?? [];
  const metadatas = result.metadatas[0] ?? [];
  const distances = result.distances[0] ?? [];
  return {
    ids: picked.map((i) => ids[i] as string),
    similarities: picked.map((i) => toSimilarity(space, distances[i] as number)),
    nodes: picked.map((i) => recordToNode(ids[i] as string, documents[i], metadatas[i] as Metadata | null)),
  };
}
