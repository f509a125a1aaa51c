/**
 * A collection handle: validates each call completely, embeds texts (outside any transaction), then hands
 * the batch to the backend (embedded engine or server).
 */
import {
  applyConfigUpdate,
  type CollectionConfig,
  expectOptionsObject,
  rejectUnknownKeys,
  validateCollectionName,
} from "../config";
import type { EmbeddingFunction } from "../embeddings/types";
import { CairnError, EmbeddingError } from "../errors";
import type { CollectionMetadata, GetColumns, IncludeField, Metadata, QueryColumns } from "../types";
import type { CollectionBackend, CollectionDescription } from "./backend";
import type {
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
} from "./options";
import { GetResult, QueryResult } from "./results";
import {
  validateDelete,
  validateGet,
  validateQuery,
  type ValidatedWrite,
  validateWrite,
  validateWritePolicy,
} from "./validate";
import { validateCollectionMetadata, validateCount, validateVectors } from "./validate-values";

/** Why a collection has no embedding function (shown when texts are given). */
export type MissingEmbeddingReason = string;

/** A collection of records: ids, vectors, documents, metadata and uris. */
export class Collection<TMeta extends Metadata = Metadata> {
  /** Collection id (a UUID). */
  readonly id: string;
  /** Tenant and database the collection lives in. */
  readonly tenant: string;
  readonly database: string;
  private description: CollectionDescription;

  /** @internal Created by clients; use `client.getCollection()`. */
  constructor(
    private readonly backend: CollectionBackend,
    description: CollectionDescription,
    /** The embedding function used for documents and query texts; undefined when there is none. */
    readonly embeddingFunction: EmbeddingFunction | undefined,
    private readonly missingEmbeddingReason?: MissingEmbeddingReason,
  ) {
    this.id = description.id;
    this.tenant = description.tenant;
    this.database = description.database;
    this.description = description;
  }

  /** Collection name. */
  get name(): string {
    return this.description.name;
  }

  /** Collection metadata (`undefined` when there is none, like chromadb). */
  get metadata(): CollectionMetadata | undefined {
    return this.description.metadata ?? undefined;
  }

  /** The persisted configuration (space, HNSW settings, embedding function identity). */
  get configuration(): CollectionConfig {
    return this.description.configuration;
  }

  /** The vector dimension, fixed by the first write (null before). */
  get dimension(): number | null {
    return this.description.dimension;
  }

  private async embed(texts: string[], forQueries: boolean, path: string): Promise<Float32Array[]> {
    const ef = this.embeddingFunction;
    if (!ef) {
      throw new EmbeddingError(
        "EMBEDDING_FUNCTION_MISSING",
        `${path}: collection '${this.name}' has no embedding function${this.missingEmbeddingReason ? ` (${this.missingEmbeddingReason})` : ""}. ` +
          "Pass vectors (embeddings / queryEmbeddings), or open the collection with getCollection({ name, embeddingFunction }).",
        { details: { path, collection: this.name } },
      );
    }
    if (texts.length === 0) return [];
    let vectors: unknown;
    try {
      vectors = await (forQueries && ef.generateForQueries
        ? ef.generateForQueries(texts)
        : ef.generate(texts));
    } catch (error) {
      if (error instanceof CairnError) throw error;
      throw new EmbeddingError(
        "EMBEDDING_FAILED",
        `${path}: the embedding function '${ef.name ?? "custom"}' failed: ${(error as Error)?.message ?? error}`,
        {
          cause: error,
        },
      );
    }
    try {
      const checked = validateVectors(vectors, "embedding function output");
      if (checked.length !== texts.length)
        throw new Error(`returned ${checked.length} vectors for ${texts.length} texts`);
      return checked;
    } catch (error) {
      throw new EmbeddingError(
        "EMBEDDING_FAILED",
        `${path}: the embedding function '${ef.name ?? "custom"}' returned invalid vectors: ${(error as Error).message}`,
        {
          cause: error,
        },
      );
    }
  }

  private async write(
    mode: "add" | "upsert" | "update",
    options: unknown,
    writeOptions: unknown,
  ): Promise<void> {
    const batch: ValidatedWrite = validateWrite(options, mode);
    const policy = validateWritePolicy(writeOptions, mode);
    if (batch.ids.length === 0) return;
    if (batch.documents && (!batch.embeddings || batch.embeddings.includes(null))) {
      // Records with a document and no vector of their own get one from the embedding function (an update
      // without a new document keeps its stored vector).
      const given = batch.embeddings;
      const positions = batch.documents.flatMap((d, i) => (d === null || given?.[i] ? [] : [i]));
      if (positions.length > 0 || mode !== "update") {
        const vectors = await this.embed(
          positions.map((i) => batch.documents![i]!),
          false,
          "documents",
        );
        const embeddings: (Float32Array | null)[] = given ? [...given] : batch.ids.map(() => null);
        positions.forEach((p, j) => {
          embeddings[p] = vectors[j]!;
        });
        batch.embeddings = embeddings;
      }
    }
    await this.backend.write(this.id, mode, batch, policy);
  }

  /**
   * Adds records. By default every id must be new: an existing id fails the whole call with `DUPLICATE_ID`
   * and nothing is written (use `upsert` to overwrite). With `{ onDuplicate: "ignore" }` existing ids are
   * skipped silently and the new ones written, atomically — Chroma's behaviour.
   * @example await col.add({ ids: ["a"], documents: ["hello"] }, { onDuplicate: "ignore" })
   */
  add(options: AddOptions, writeOptions?: AddWriteOptions): Promise<void> {
    return this.write("add", options, writeOptions);
  }

  /**
   * Inserts new ids and updates existing ones. Metadata is merged key by key (`null` deletes a key), or, with
   * `{ metadata: "replace" }`, replaced as a whole — in one transaction either way.
   * @example await col.upsert({ ids: ["a"], documents: ["v2"], metadatas: [{ v: 2 }] }, { metadata: "replace" })
   */
  upsert(options: UpsertOptions, writeOptions?: UpsertWriteOptions): Promise<void> {
    return this.write("upsert", options, writeOptions);
  }

  /**
   * Updates existing records; a missing id fails the whole call with `NOT_FOUND` and nothing is written. A
   * `null` in `embeddings` keeps that record's vector (or embeds its new document).
   */
  update(options: UpdateOptions): Promise<void> {
    return this.write("update", options, undefined);
  }

  /** Records by ids and/or filters, in insertion order. */
  async get(options: GetOptions = {}): Promise<GetResult<TMeta>> {
    const v = validateGet(options);
    const columns = await this.backend.get(
      this.id,
      v.selection,
      { limit: v.limit, offset: v.offset },
      v.include,
    );
    return new GetResult<TMeta>(columns as GetColumns<TMeta>, v.include);
  }

  /** The first `limit` records (default 10). */
  async peek(options: PeekOptions = {}): Promise<GetResult<TMeta>> {
    const opts = expectOptionsObject(options, "peek");
    rejectUnknownKeys(opts, ["limit"], "peek");
    const limit = opts.limit == null ? 10 : validateCount(opts.limit, "limit");
    const include: IncludeField[] = ["documents", "metadatas"];
    const columns = await this.backend.get(this.id, {}, { limit }, include);
    return new GetResult<TMeta>(columns as GetColumns<TMeta>, include);
  }

  /** Nearest neighbours of each query vector or text; distances ascend (raw for the collection's space). */
  async query(options: QueryOptions): Promise<QueryResult<TMeta>> {
    const v = validateQuery(options);
    const vectors = v.queryEmbeddings ?? (await this.embed(v.queryTexts!, true, "queryTexts"));
    const columns = await this.backend.query(this.id, vectors, v.nResults, v.selection, v.include);
    return new QueryResult<TMeta>(columns as QueryColumns<TMeta>, v.include);
  }

  /** Deletes records by ids and/or filters; returns how many were deleted. */
  async delete(options: DeleteOptions = {}): Promise<DeleteResult> {
    const v = validateDelete(options);
    const nothing = !v.selection.ids && !v.selection.where && !v.selection.whereDocument;
    if (nothing || v.selection.ids?.length === 0) return { deleted: 0 };
    return { deleted: await this.backend.delete(this.id, v.selection, v.limit) };
  }

  /** Number of records. */
  count(): Promise<number> {
    return this.backend.count(this.id);
  }

  /** Renames the collection, replaces its metadata, or changes mutable settings (e.g. `hnsw.ef_search`). */
  async modify(options: ModifyOptions): Promise<void> {
    const opts = expectOptionsObject(options, "modify");
    rejectUnknownKeys(opts, ["name", "metadata", "configuration"], "modify");
    const name = opts.name === undefined ? undefined : validateCollectionName(opts.name);
    const metadata =
      opts.metadata === undefined ? undefined : validateCollectionMetadata(opts.metadata, "metadata", true);
    // Validate the configuration update up front; the backend applies it to the stored config atomically.
    if (opts.configuration !== undefined)
      applyConfigUpdate(this.description.configuration, opts.configuration);
    this.description = await this.backend.modify(this.id, {
      name,
      metadata,
      configuration: opts.configuration,
    });
  }

  /** Reloads name, metadata, configuration and dimension (changed by another process, say). */
  async refresh(): Promise<void> {
    this.description = await this.backend.describe(this.id);
  }
}
