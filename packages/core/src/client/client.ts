/**
 * The client API shared by `EphemeralClient`, `PersistentClient` and `HttpClient`: collection CRUD,
 * tenants and databases, and the embedding-function identity rules (persisted with the collection; a
 * conflicting one is an error, never silent garbage).
 */
import type { ClientBackend, CollectionDescription, DatabaseDescription } from "../collection/backend";
import { Collection } from "../collection/collection";
import { validateCollectionMetadata, validateCount } from "../collection/validate-values";
import {
  applySchema,
  type ChromaSchema,
  type CollectionConfig,
  type CreateCollectionConfiguration,
  expectOptionsObject,
  rejectUnknownKeys,
  resolveCreateConfig,
  validateCollectionName,
  validateNamespaceName,
} from "../config";
import {
  describeEmbeddingFunction,
  EmbeddingFunctionRegistry,
  embeddingFunctionsConflict,
  serializeEmbeddingFunction,
} from "../embeddings";
import type { EmbeddingFunction, EmbeddingFunctionClass } from "../embeddings/types";
import { CairnError, EmbeddingError, ForbiddenError } from "../errors";
import type { CollectionMetadata, EmbeddingFunctionConfig, Logger, Metadata } from "../types";
import { silentLogger } from "../types";

/** Options shared by every client. */
export interface ClientOptions {
  /** Tenant of the collections this client works with (default `default_tenant`). */
  tenant?: string;
  /** Database of the collections this client works with (default `default_database`). */
  database?: string;
  /** Where warnings go (index rebuilds, …). The library never writes to the console itself. */
  logger?: Logger;
  /**
   * Embedding function classes by registry name, so `getCollection` can rebuild them from the persisted
   * configuration. `default`, `openai` and `hash` are built in.
   * @example { "my-ef": MyEmbeddingFunction }
   */
  embeddingFunctions?: Record<string, EmbeddingFunctionClass>;
}

/**
 * Options of `createCollection` / `getOrCreateCollection`.
 * @example { name: "docs", configuration: { hnsw: { space: "cosine" } }, embeddingFunction: new HashEmbeddingFunction() }
 */
export interface CreateCollectionOptions {
  name: string;
  metadata?: CollectionMetadata;
  configuration?: CreateCollectionConfiguration;
  /** Omitted: the default model (all-MiniLM-L6-v2). `null`: a vectors-only collection. */
  embeddingFunction?: EmbeddingFunction | null;
  /**
   * A Chroma `Schema` (chromadb 3.x, or its `serializeToJSON()` form). Cairn honours the vector index's `space`
   * and `hnsw` settings (merged into `configuration`); any other change from Chroma's default schema is refused
   * with `INVALID_CONFIGURATION` naming the schema key. Prefer `configuration: { hnsw: { space } }`.
   */
  schema?: ChromaSchema | null;
}

/**
 * Options of `getCollection`.
 * @example { name: "docs" }  // the embedding function is rebuilt from the stored configuration
 */
export interface GetCollectionOptions {
  name: string;
  /** Must match the persisted embedding function unless `overrideEmbeddingFunction` is set. */
  embeddingFunction?: EmbeddingFunction | null;
  /** Use `embeddingFunction` even though it differs from the persisted one (a deliberate switch). */
  overrideEmbeddingFunction?: boolean;
}

/** Paging of `listCollections`. */
export interface ListCollectionsOptions {
  limit?: number;
  offset?: number;
}

const CREATE_KEYS = ["name", "metadata", "configuration", "embeddingFunction", "schema"] as const;

/** The common implementation of every Cairn client. */
export class CairnClient {
  /** Tenant and database this client works in. */
  readonly tenant: string;
  readonly database: string;
  protected readonly logger: Logger;
  protected readonly registry: EmbeddingFunctionRegistry;

  /** @internal */
  constructor(
    protected readonly backend: ClientBackend,
    options: ClientOptions & { allowReset?: boolean | undefined },
    private readonly allowReset: boolean,
  ) {
    this.tenant = options.tenant ?? "default_tenant";
    this.database = options.database ?? "default_database";
    this.logger = options.logger ?? silentLogger;
    this.registry = new EmbeddingFunctionRegistry(options.embeddingFunctions ?? {});
  }

  /** Server time in nanoseconds since the epoch (a liveness check). */
  heartbeat(): Promise<number> {
    return this.backend.heartbeat();
  }

  /** The Cairn version. */
  version(): Promise<string> {
    return this.backend.version();
  }

  private handle<TMeta extends Metadata>(
    d: CollectionDescription,
    passed: EmbeddingFunction | null | undefined,
    override = false,
  ): Collection<TMeta> {
    const persisted = d.configuration.embedding_function;
    if (passed) {
      if (
        persisted &&
        !override &&
        embeddingFunctionsConflict(persisted, serializeEmbeddingFunction(passed))
      ) {
        const dims = d.dimension ?? undefined;
        throw new EmbeddingError(
          "EMBEDDING_FUNCTION_CONFLICT",
          `collection '${d.name}' was created with ${describeEmbeddingFunction(persisted, dims)}; you passed ${describeEmbeddingFunction(passed)}. ` +
            "Vectors from different models are not comparable. Omit embeddingFunction to use the stored one, or pass overrideEmbeddingFunction: true for a deliberate switch.",
          { details: { collection: d.name, persisted, passed: serializeEmbeddingFunction(passed) } },
        );
      }
      return new Collection<TMeta>(this.backend, d, passed);
    }
    if (passed === null || persisted === null) {
      return new Collection<TMeta>(
        this.backend,
        d,
        undefined,
        "it was created with embeddingFunction: null and takes vectors only",
      );
    }
    try {
      return new Collection<TMeta>(this.backend, d, this.registry.build(persisted));
    } catch (error) {
      if (!(error instanceof CairnError)) throw error;
      return new Collection<TMeta>(
        this.backend,
        d,
        undefined,
        `its embedding function could not be rebuilt: ${error.message}`,
      );
    }
  }

  private tryBuild(config: EmbeddingFunctionConfig): EmbeddingFunction | null {
    try {
      return this.registry.build(config);
    } catch {
      return null;
    }
  }

  private async create<TMeta extends Metadata>(
    options: CreateCollectionOptions,
    getOrCreate: boolean,
  ): Promise<Collection<TMeta>> {
    const verb = getOrCreate ? "getOrCreateCollection" : "createCollection";
    const opts = expectOptionsObject(options, verb);
    rejectUnknownKeys(opts, CREATE_KEYS, verb);
    const name = validateCollectionName(opts.name);
    const metadata = validateCollectionMetadata(opts.metadata);
    const passed = opts.embeddingFunction as EmbeddingFunction | null | undefined;
    const requested = applySchema(
      opts.configuration as CreateCollectionConfiguration | undefined,
      opts.schema,
    );
    // An identity given in `configuration.embedding_function` (e.g. by a server relaying a chromadb client)
    // is stored as is; otherwise the passed EF, or the default model when none was passed.
    const configured = (requested as { embedding_function?: EmbeddingFunctionConfig | null } | undefined)
      ?.embedding_function;
    let ef: EmbeddingFunction | null;
    let identity: EmbeddingFunctionConfig | null;
    if (passed === undefined && configured !== undefined) {
      identity = configured;
      ef = configured ? this.tryBuild(configured) : null;
    } else {
      ef =
        passed === undefined ? this.registry.build({ type: "known", name: "default", config: {} }) : passed;
      identity = ef ? serializeEmbeddingFunction(ef) : null;
    }
    const configuration: CollectionConfig = resolveCreateConfig(requested, metadata, {
      defaultSpace: ef?.defaultSpace?.(),
      embeddingFunction: identity,
    });
    const { collection, created } = await this.backend.createCollection({
      tenant: this.tenant,
      database: this.database,
      name,
      metadata,
      configuration,
      getOrCreate,
    });
    // An existing collection keeps its stored embedding function unless one was passed explicitly.
    return this.handle<TMeta>(collection, created ? (ef ?? undefined) : passed);
  }

  /** Creates a collection; `COLLECTION_EXISTS` if the name is taken. */
  createCollection<TMeta extends Metadata = Metadata>(
    options: CreateCollectionOptions,
  ): Promise<Collection<TMeta>> {
    return this.create<TMeta>(options, false);
  }

  /** Returns the named collection, creating it first if needed (an existing one keeps its settings). */
  getOrCreateCollection<TMeta extends Metadata = Metadata>(
    options: CreateCollectionOptions,
  ): Promise<Collection<TMeta>> {
    return this.create<TMeta>(options, true);
  }

  /** Opens an existing collection; its embedding function is rebuilt from the stored configuration. */
  async getCollection<TMeta extends Metadata = Metadata>(
    options: GetCollectionOptions,
  ): Promise<Collection<TMeta>> {
    const opts = expectOptionsObject(options, "getCollection");
    rejectUnknownKeys(opts, ["name", "embeddingFunction", "overrideEmbeddingFunction"], "getCollection");
    const name = validateCollectionName(opts.name);
    const description = await this.backend.getCollection(this.tenant, this.database, name);
    return this.handle<TMeta>(
      description,
      opts.embeddingFunction as EmbeddingFunction | null | undefined,
      opts.overrideEmbeddingFunction === true,
    );
  }

  /** Opens a collection by id. */
  async getCollectionById<TMeta extends Metadata = Metadata>(id: string): Promise<Collection<TMeta>> {
    return this.handle<TMeta>(await this.backend.getCollectionById(id), undefined);
  }

  /** Collections in creation order (default `limit` 100). */
  async listCollections(options: ListCollectionsOptions = {}): Promise<Collection[]> {
    const opts = expectOptionsObject(options, "listCollections");
    rejectUnknownKeys(opts, ["limit", "offset"], "listCollections");
    const limit = opts.limit == null ? 100 : validateCount(opts.limit, "limit");
    const offset = opts.offset == null ? 0 : validateCount(opts.offset, "offset");
    const rows = await this.backend.listCollections(this.tenant, this.database, limit, offset);
    return rows.map((d) => this.handle(d, undefined));
  }

  /** Number of collections. */
  countCollections(): Promise<number> {
    return this.backend.countCollections(this.tenant, this.database);
  }

  /** Deletes a collection and all its records. */
  async deleteCollection(options: { name: string }): Promise<void> {
    const opts = expectOptionsObject(options, "deleteCollection");
    rejectUnknownKeys(opts, ["name"], "deleteCollection");
    await this.backend.deleteCollection(this.tenant, this.database, validateCollectionName(opts.name));
  }

  /**
   * The same client scoped to another tenant and/or database. It shares this client's connection (open
   * database, indexes, logger, embedding-function registry): no new connection is opened, and closing either
   * closes both. Used by the server to answer requests for any tenant and database with one client.
   * @example const staging = client.withDatabase({ database: "staging" });
   */
  withDatabase(options: { tenant?: string; database?: string }): CairnClient {
    const opts = expectOptionsObject(options, "withDatabase");
    rejectUnknownKeys(opts, ["tenant", "database"], "withDatabase");
    const tenant = opts.tenant === undefined ? this.tenant : validateNamespaceName(opts.tenant, "tenant");
    const database =
      opts.database === undefined ? this.database : validateNamespaceName(opts.database, "database");
    // A view: every other field (backend, registry, logger) is read through the prototype, i.e. shared.
    return Object.create(this, {
      tenant: { value: tenant, enumerable: true },
      database: { value: database, enumerable: true },
    }) as CairnClient;
  }

  /** Creates a tenant. */
  async createTenant(options: { name: string }): Promise<void> {
    return this.backend.createTenant(validateNamespaceName(options?.name, "name"));
  }

  /** Returns a tenant (`TENANT_NOT_FOUND` if it does not exist). */
  async getTenant(options: { name: string }): Promise<{ name: string }> {
    return this.backend.getTenant(validateNamespaceName(options?.name, "name"));
  }

  /** Creates a database in a tenant (default: this client's tenant). */
  async createDatabase(options: { name: string; tenant?: string }): Promise<DatabaseDescription> {
    return this.backend.createDatabase(
      options?.tenant ?? this.tenant,
      validateNamespaceName(options?.name, "name"),
    );
  }

  /** Returns a database (`DATABASE_NOT_FOUND` if it does not exist). */
  async getDatabase(options: { name: string; tenant?: string }): Promise<DatabaseDescription> {
    return this.backend.getDatabase(
      options?.tenant ?? this.tenant,
      validateNamespaceName(options?.name, "name"),
    );
  }

  /** Lists a tenant's databases. */
  async listDatabases(
    options: { tenant?: string; limit?: number; offset?: number } = {},
  ): Promise<DatabaseDescription[]> {
    const limit = options.limit == null ? 100 : validateCount(options.limit, "limit");
    const offset = options.offset == null ? 0 : validateCount(options.offset, "offset");
    return this.backend.listDatabases(options.tenant ?? this.tenant, limit, offset);
  }

  /** Deletes a database and every collection in it. */
  async deleteDatabase(options: { name: string; tenant?: string }): Promise<void> {
    return this.backend.deleteDatabase(
      options?.tenant ?? this.tenant,
      validateNamespaceName(options?.name, "name"),
    );
  }

  /** Deletes every tenant, database and collection. Only when the client was opened with `allowReset: true`. */
  async reset(): Promise<void> {
    if (!this.allowReset) {
      throw new ForbiddenError(
        "RESET_DISABLED",
        "reset() is disabled: open the client with { allowReset: true } to allow it.",
      );
    }
    await this.backend.reset();
  }

  /** Writes due index snapshots and releases the database. The client cannot be used afterwards. */
  close(): Promise<void> {
    return this.backend.close();
  }
}
