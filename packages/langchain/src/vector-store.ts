/**
 * `CairnVectorStore`: a LangChain.js `VectorStore` over a Cairn collection (embedded, persistent or remote).
 * LangChain computes the embeddings; the collection is vectors-only (`embeddingFunction: null`).
 */
import { randomUUID } from "node:crypto";
import {
  type CairnClient,
  type Collection,
  type IncludeField,
  invalidArgument,
  NotFoundError,
  type Metadata,
  toSimilarity,
  type UpdateMetadata,
  type Where,
  type WhereDocument,
} from "@cairndb/core";
import type { Callbacks } from "@langchain/core/callbacks/manager";
import { Document, type DocumentInterface } from "@langchain/core/documents";
import type { EmbeddingsInterface } from "@langchain/core/embeddings";
import { maximalMarginalRelevance } from "@langchain/core/utils/math";
import { type MaxMarginalRelevanceSearchOptions, VectorStore } from "@langchain/core/vectorstores";
import { checkCollectionDimension, checkVector, pickId, presentFilter } from "./checks";
import { decodeMetadata, encodeMetadata } from "./metadata";
import {
  type CairnAddOptions,
  type CairnDeleteParams,
  type CairnSearchOptions,
  type CairnVectorStoreArgs,
  checkScoreKind,
  type ResolvedStoreArgs,
  resolveStoreArgs,
} from "./options";

/**
 * Options of `CairnVectorStore.maxMarginalRelevanceSearch`: LangChain's (`k`, `fetchK` default 20, `lambda`
 * default 0.5, `filter`) plus Cairn's `whereDocument`.
 * @example await store.maxMarginalRelevanceSearch("hiking", { k: 4, fetchK: 20, lambda: 0.5, filter: { lang: "en" } })
 */
export type CairnMMRSearchOptions = MaxMarginalRelevanceSearchOptions<Where> & {
  whereDocument?: WhereDocument;
};

const DEFAULT_K = 4;
const DEFAULT_FETCH_K = 20;
const DEFAULT_LAMBDA = 0.5;

/** One query's hits, column-wise (fields that were not included are `[]`). */
interface Hits {
  ids: string[];
  documents: (string | null)[];
  metadatas: (Metadata | null)[];
  distances: number[];
  embeddings: number[][];
}

const NO_HITS: Hits = { ids: [], documents: [], metadatas: [], distances: [], embeddings: [] };

/**
 * A LangChain.js vector store backed by a Cairn collection.
 *
 * - Filters are Cairn's own `where` (`FilterType = Where`); nested metadata is addressed by dotted keys.
 * - Scores are similarities (higher is better) from `toSimilarity` for the collection's space, unless the
 *   store (or the call) asks for raw distances with `score: "distance"`.
 * - Writes are upserts: re-adding an id replaces its text, vector and metadata.
 * @example
 * const store = await CairnVectorStore.fromDocuments(docs, embeddings, { collectionName: "docs", path: "./cairn_db" });
 * const hits = await store.similaritySearchWithScore("how do refunds work?", 3, { type: "faq" });
 */
export class CairnVectorStore extends VectorStore {
  /** Cairn's `where` filter: `{ type: "faq" }`, `{ "loc.lines.from": { $gte: 10 } }`, `{ $and: [...] }`. */
  declare FilterType: Where;

  /** The collection's name. */
  readonly collectionName: string;
  /** The Cairn client the store works through. */
  readonly client: CairnClient;
  private readonly settings: ResolvedStoreArgs;
  private opening: Promise<Collection> | undefined;

  /** LangChain's store identifier (`"cairn"`); also a retriever tag. */
  _vectorstoreType(): string {
    return "cairn";
  }

  /**
   * Creates a store; the collection is opened (or created) on first use.
   * @param embeddings the LangChain embeddings that turn texts into vectors.
   * @param args where the data lives and how the collection is created (see {@link CairnVectorStoreArgs}).
   */
  constructor(embeddings: EmbeddingsInterface, args: CairnVectorStoreArgs) {
    const settings = resolveStoreArgs(args);
    // The client is not serialisable: keep it out of LangChain's lc_kwargs.
    const { client: _client, ...serialisable } = args;
    super(embeddings, serialisable);
    this.settings = settings;
    this.collectionName = settings.collectionName;
    this.client = settings.client;
  }

  /** The collection (opened or created on first use with `getOrCreateCollection`, vectors-only). */
  async getCollection(): Promise<Collection> {
    this.opening ??= this.client
      .getOrCreateCollection({
        name: this.collectionName,
        embeddingFunction: null,
        ...(this.settings.collectionMetadata ? { metadata: this.settings.collectionMetadata } : {}),
        ...(this.settings.configuration ? { configuration: this.settings.configuration } : {}),
      })
      .then((c) => checkCollectionDimension(c, this.settings.numDimensions));
    return this.retryOnFailure(this.opening);
  }

  private async retryOnFailure(opening: Promise<Collection>): Promise<Collection> {
    try {
      return await opening;
    } catch (error) {
      if (this.opening === opening) this.opening = undefined;
      throw error;
    }
  }

  /**
   * Embeds the documents' `pageContent` with the store's embeddings, then {@link addVectors}.
   * @returns the ids, by position (`options.ids[i]`, else `Document.id`, else a new UUID).
   */
  async addDocuments(documents: DocumentInterface[], options?: CairnAddOptions): Promise<string[]> {
    if (documents.length === 0) return [];
    const vectors = await this.embeddings.embedDocuments(documents.map((d) => d.pageContent));
    return this.addVectors(vectors, documents, options);
  }

  /**
   * Upserts documents with precomputed vectors: a new id is inserted, an existing id is replaced (text,
   * vector and metadata: keys absent from the new metadata are removed). Inputs are never mutated.
   * @returns the ids, by position (`options.ids[i]`, else `Document.id`, else a new UUID).
   */
  async addVectors(
    vectors: number[][],
    documents: DocumentInterface[],
    options?: CairnAddOptions,
  ): Promise<string[]> {
    if (vectors.length !== documents.length) {
      throw invalidArgument(
        "vectors",
        `expected one vector per document: ${vectors.length} vectors for ${documents.length} documents`,
      );
    }
    if (options?.ids && options.ids.length !== documents.length) {
      throw invalidArgument(
        "options.ids",
        `expected one id per document: ${options.ids.length} ids for ${documents.length} documents`,
      );
    }
    if (documents.length === 0) return [];
    for (const [i, v] of vectors.entries()) checkVector(v, this.settings.numDimensions, `vectors[${i}]`);
    const ids = documents.map((d, i) => pickId(options?.ids?.[i]) ?? pickId(d.id) ?? randomUUID());
    const metadatas: UpdateMetadata[] = documents.map((d, i) =>
      encodeMetadata(d.metadata, `documents[${i}].metadata`),
    );
    const collection = await this.getCollection();
    // LangChain replaces a re-added document's metadata: one replacing upsert, one transaction, no read first.
    await collection.upsert(
      {
        ids,
        embeddings: vectors,
        documents: documents.map((d) => d.pageContent ?? ""),
        metadatas,
      },
      { metadata: "replace" },
    );
    return ids;
  }

  private async queryHits(
    query: number[],
    k: number,
    options: CairnSearchOptions,
    include: IncludeField[],
  ): Promise<{ hits: Hits; collection: Collection }> {
    if (!Number.isInteger(k) || k < 0)
      throw invalidArgument("k", `expected a non-negative integer, got ${k}`);
    checkVector(query, this.settings.numDimensions, "query");
    const collection = await this.getCollection();
    if (k === 0) return { hits: NO_HITS, collection };
    const where = presentFilter(options.filter);
    const whereDocument = presentFilter(options.whereDocument);
    const result = await collection.query({
      queryEmbeddings: [query],
      nResults: k,
      include,
      ...(where ? { where } : {}),
      ...(whereDocument ? { whereDocument } : {}),
    });
    // The first (only) query's columns, read as they are.
    return {
      hits: {
        ids: result.ids[0] ?? [],
        documents: result.documents[0] ?? [],
        metadatas: result.metadatas[0] ?? [],
        distances: result.distances[0] ?? [],
        embeddings: result.embeddings[0] ?? [],
      },
      collection,
    };
  }

  private toDocument(
    id: string,
    document: string | null | undefined,
    metadata: Metadata | null | undefined,
  ): Document {
    return new Document({ pageContent: document ?? "", metadata: decodeMetadata(metadata), id });
  }

  /**
   * The `k` nearest documents to a query (a text, embedded with the store's embeddings, or a vector), each
   * with its score: a similarity (higher is better) or, with `score: "distance"`, Cairn's raw distance.
   * @example const hits = await store.search("refunds", { k: 3, filter: { type: "faq" }, whereDocument: { $contains: "card" } });
   */
  async search(query: string | number[], options: CairnSearchOptions = {}): Promise<[Document, number][]> {
    const kind = options.score === undefined ? this.settings.score : checkScoreKind(options.score, "score");
    const vector = typeof query === "string" ? await this.embeddings.embedQuery(query) : query;
    const k = options.k ?? DEFAULT_K;
    const { hits, collection } = await this.queryHits(vector, k, options, [
      "documents",
      "metadatas",
      "distances",
    ]);
    const space = collection.configuration.hnsw.space;
    return hits.ids.map((id, i) => {
      const distance = hits.distances[i] as number;
      const document = this.toDocument(id, hits.documents[i], hits.metadatas[i]);
      return [document, kind === "distance" ? distance : toSimilarity(space, distance)];
    });
  }

  /**
   * The `k` nearest documents to a vector, with scores (see {@link search}). All text searches of the base
   * class (`similaritySearch`, `similaritySearchWithScore`, retrievers) go through here.
   * @param options Cairn extras: `whereDocument` and `score`.
   */
  async similaritySearchVectorWithScore(
    query: number[],
    k: number,
    filter?: Where,
    options: Pick<CairnSearchOptions, "whereDocument" | "score"> = {},
  ): Promise<[Document, number][]> {
    return this.search(query, { ...options, k, ...(filter ? { filter } : {}) });
  }

  /**
   * Maximal marginal relevance: fetches `fetchK` candidates (default 20) with their vectors, then picks `k`
   * that are relevant to the query yet unlike each other (`lambda` 1 = relevance only, 0 = diversity only).
   */
  override async maxMarginalRelevanceSearch(
    query: string,
    options: CairnMMRSearchOptions,
    _callbacks?: Callbacks,
  ): Promise<Document[]> {
    const vector = await this.embeddings.embedQuery(query);
    const k = options.k ?? DEFAULT_K;
    const fetchK = Math.max(options.fetchK ?? DEFAULT_FETCH_K, k);
    const { hits } = await this.queryHits(vector, fetchK, options, ["documents", "metadatas", "embeddings"]);
    const picked = maximalMarginalRelevance(vector, hits.embeddings, options.lambda ?? DEFAULT_LAMBDA, k);
    return picked.map((i) => this.toDocument(hits.ids[i] as string, hits.documents[i], hits.metadatas[i]));
  }

  /**
   * Deletes by ids, by filter (`filter` = `where`, and/or `whereDocument`), or by ids that also match the
   * filters. Missing ids are ignored. Giving nothing throws rather than deleting everything.
   */
  override async delete(params: CairnDeleteParams = {}): Promise<void> {
    const where = presentFilter(params.filter);
    const whereDocument = presentFilter(params.whereDocument);
    if (params.ids === undefined && !where && !whereDocument) {
      throw invalidArgument(
        "delete",
        "give `ids`, `filter` or `whereDocument` (use `{ filter: { … } }` to delete by metadata)",
      );
    }
    if (params.ids !== undefined && !Array.isArray(params.ids))
      throw invalidArgument("delete.ids", "expected an array of ids");
    if (params.ids?.length === 0) return;
    const collection = await this.getCollection();
    await collection.delete({
      ...(params.ids ? { ids: [...new Set(params.ids)] } : {}),
      ...(where ? { where } : {}),
      ...(whereDocument ? { whereDocument } : {}),
    });
  }

  /** Documents by id, in the order of `ids`; missing ids are skipped. */
  async getByIds(ids: string[]): Promise<Document[]> {
    if (!Array.isArray(ids)) throw invalidArgument("ids", "expected an array of ids");
    if (ids.length === 0) return [];
    const collection = await this.getCollection();
    const found = await collection.get({ ids: [...new Set(ids)], include: ["documents", "metadatas"] });
    const position = new Map(found.ids.map((id, i) => [id, i]));
    return ids.flatMap((id) => {
      const i = position.get(id);
      return i === undefined ? [] : [this.toDocument(id, found.documents[i], found.metadatas[i])];
    });
  }

  /** Closes the client if the store opened it (`path` or no client given); a client you passed stays open. */
  async close(): Promise<void> {
    if (this.settings.ownsClient) await this.client.close();
  }

  /** Creates a store and adds one document per text (`metadatas`: one object per text, or one for all). */
  static override async fromTexts(
    texts: string[],
    metadatas: object[] | object,
    embeddings: EmbeddingsInterface,
    args: CairnVectorStoreArgs,
  ): Promise<CairnVectorStore> {
    const docs = texts.map(
      (pageContent, i) =>
        new Document({
          pageContent,
          metadata: { ...((Array.isArray(metadatas) ? metadatas[i] : metadatas) as Record<string, unknown>) },
        }),
    );
    return CairnVectorStore.fromDocuments(docs, embeddings, args);
  }

  /** Creates a store (the collection is created if needed) and adds the documents. */
  static override async fromDocuments(
    docs: DocumentInterface[],
    embeddings: EmbeddingsInterface,
    args: CairnVectorStoreArgs,
  ): Promise<CairnVectorStore> {
    const store = new CairnVectorStore(embeddings, args);
    try {
      await store.getCollection();
      await store.addDocuments(docs);
    } catch (error) {
      await store.close().catch(() => undefined); // do not leak a client the caller never saw
      throw error;
    }
    return store;
  }

  /**
   * Opens a store over a collection that must already exist.
   * @throws NotFoundError `COLLECTION_NOT_FOUND` with a message saying how to create it.
   */
  static async fromExistingCollection(
    embeddings: EmbeddingsInterface,
    args: CairnVectorStoreArgs,
  ): Promise<CairnVectorStore> {
    const store = new CairnVectorStore(embeddings, args);
    try {
      const collection = await store.client.getCollection({
        name: store.collectionName,
        embeddingFunction: null,
      });
      store.opening = Promise.resolve(checkCollectionDimension(collection, store.settings.numDimensions));
    } catch (error) {
      await store.close().catch(() => undefined);
      if ((error as { code?: unknown })?.code !== "COLLECTION_NOT_FOUND") throw error;
      const where =
        args.path !== undefined
          ? ` at '${args.path}'`
          : args.client
            ? ""
            : " (in a new in-memory EphemeralClient, which starts empty)";
      throw new NotFoundError(
        "COLLECTION_NOT_FOUND",
        `CairnVectorStore.fromExistingCollection: collection '${store.collectionName}' does not exist${where}. ` +
          "Create it with CairnVectorStore.fromDocuments / fromTexts, or use new CairnVectorStore(embeddings, { collectionName }), which creates it on first use.",
        { cause: error, details: { collection: store.collectionName } },
      );
    }
    return store;
  }
}
