/**
 * A `ClientBackend` over Chroma's REST API v2: a Cairn server (`cairn run`) or, as far as the wire allows, a
 * Chroma server. Validation and embedding already happened in `Collection`; this only moves data.
 */
import type {
  ClientBackend,
  CollectionDescription,
  DatabaseDescription,
  WritePolicy,
} from "../collection/backend";
import type { ValidatedSelection, ValidatedWrite } from "../collection/validate";
import { NotFoundError } from "../errors";
import type { CollectionMetadata, GetColumns, IncludeField, QueryColumns } from "../types";
import { errorFromResponse } from "./errors";
import { HttpTransport, type TransportOptions } from "./transport";
import {
  type CairnWriteOptionsJson,
  type CollectionJson,
  type GetResponseJson,
  type PreflightJson,
  type QueryResponseJson,
  columnsFromGet,
  columnsFromQuery,
  toDatabase,
  toDescription,
  toSelectionBody,
  toWireConfiguration,
  toWriteBody,
} from "./wire";

/** Options of the HTTP backend. */
export interface HttpBackendOptions extends TransportOptions {
  /** Namespace used for collection ids this backend has not seen yet. */
  tenant: string;
  database: string;
}

interface Namespace {
  tenant: string;
  database: string;
  name?: string;
}

const enc = encodeURIComponent;
/** Chroma's u32 limit stands for "all" where our API means no limit. */
const ALL = 4_294_967_295;

const COLLECTION = { 404: "COLLECTION_NOT_FOUND", 409: "COLLECTION_EXISTS" } as const;
const DATABASE = { 404: "DATABASE_NOT_FOUND", 409: "DATABASE_EXISTS" } as const;
const TENANT = { 404: "TENANT_NOT_FOUND", 409: "TENANT_EXISTS" } as const;

/** The HttpClient's backend. */
export class HttpBackend implements ClientBackend {
  private readonly http: HttpTransport;
  /** Where each collection id lives: record operations address a collection by tenant, database and id. */
  private readonly namespaces = new Map<string, Namespace>();
  private preflight: Promise<PreflightJson> | undefined;

  constructor(private readonly options: HttpBackendOptions) {
    this.http = new HttpTransport(options);
  }

  private static databasePath(tenant: string, database: string): string {
    return `/api/v2/tenants/${enc(tenant)}/databases/${enc(database)}`;
  }

  private static collectionsPath(tenant: string, database: string): string {
    return `${HttpBackend.databasePath(tenant, database)}/collections`;
  }

  private remember(json: CollectionJson): CollectionDescription {
    const description = toDescription(json);
    this.namespaces.set(description.id, {
      tenant: description.tenant,
      database: description.database,
      name: description.name,
    });
    return description;
  }

  private namespaceOf(id: string): Namespace {
    return this.namespaces.get(id) ?? { tenant: this.options.tenant, database: this.options.database };
  }

  private recordPath(id: string, verb?: string): string {
    const ns = this.namespaceOf(id);
    return `${HttpBackend.collectionsPath(ns.tenant, ns.database)}/${enc(id)}${verb ? `/${verb}` : ""}`;
  }

  /**
   * What the server supports (base64 vectors, Cairn's write options); asked once, cached (a failed ask is
   * retried later).
   */
  private capabilities(): Promise<PreflightJson> {
    this.preflight ??= this.http
      .request<PreflightJson>({ method: "GET", path: "/api/v2/pre-flight-checks" })
      .catch((error) => {
        this.preflight = undefined;
        throw error;
      });
    return this.preflight;
  }

  async heartbeat(): Promise<number> {
    const body = await this.http.request<Record<string, number>>({
      method: "GET",
      path: "/api/v2/heartbeat",
    });
    return Number(body["nanosecond heartbeat"]);
  }

  version(): Promise<string> {
    return this.http.request<string>({ method: "GET", path: "/api/v2/version" });
  }

  async createCollection(input: Parameters<ClientBackend["createCollection"]>[0]) {
    const json = await this.http.request<CollectionJson>({
      method: "POST",
      path: HttpBackend.collectionsPath(input.tenant, input.database),
      body: {
        name: input.name,
        metadata: input.metadata,
        configuration: toWireConfiguration(input.configuration),
        get_or_create: input.getOrCreate,
      },
      codes: COLLECTION,
    });
    // The wire does not say whether get_or_create created it; the client then trusts the stored configuration,
    // which is what it just sent for a new collection.
    return { collection: this.remember(json), created: !input.getOrCreate };
  }

  async getCollection(tenant: string, database: string, name: string): Promise<CollectionDescription> {
    const path = `${HttpBackend.collectionsPath(tenant, database)}/${enc(name)}`;
    return this.remember(await this.http.request<CollectionJson>({ method: "GET", path, codes: COLLECTION }));
  }

  async getCollectionById(id: string): Promise<CollectionDescription> {
    const ns = this.namespaceOf(id);
    const path = `${HttpBackend.collectionsPath(ns.tenant, ns.database)}/by-id/${enc(id)}`;
    const result = await this.http.send({ method: "GET", path });
    if (result.status === 200) return this.remember(result.body as CollectionJson);
    if (result.status === 404 && result.empty) {
      // Chroma 1.0 has no by-id route (404 with an empty body): find the id in the namespace's list instead.
      const found = (await this.listCollections(ns.tenant, ns.database, ALL, 0)).find((c) => c.id === id);
      if (found) return found;
      throw new NotFoundError("COLLECTION_NOT_FOUND", `Collection ${id} does not exist.`, {
        details: { id },
      });
    }
    throw errorFromResponse(
      result.status,
      result.body,
      { method: "GET", url: this.http.url(path) },
      COLLECTION,
    );
  }

  describe(id: string): Promise<CollectionDescription> {
    return this.getCollectionById(id);
  }

  async listCollections(
    tenant: string,
    database: string,
    limit: number,
    offset: number,
  ): Promise<CollectionDescription[]> {
    const rows = await this.http.request<CollectionJson[]>({
      method: "GET",
      path: HttpBackend.collectionsPath(tenant, database),
      query: { limit: Math.min(limit, ALL), offset },
    });
    return rows.map((json) => this.remember(json));
  }

  async countCollections(tenant: string, database: string): Promise<number> {
    return this.http.request<number>({
      method: "GET",
      path: `${HttpBackend.databasePath(tenant, database)}/collections_count`,
    });
  }

  async deleteCollection(tenant: string, database: string, name: string): Promise<void> {
    const path = `${HttpBackend.collectionsPath(tenant, database)}/${enc(name)}`;
    await this.http.request({ method: "DELETE", path, codes: COLLECTION });
  }

  async createTenant(name: string): Promise<void> {
    await this.http.request({ method: "POST", path: "/api/v2/tenants", body: { name }, codes: TENANT });
  }

  async getTenant(name: string): Promise<{ name: string }> {
    const json = await this.http.request<{ name: string }>({
      method: "GET",
      path: `/api/v2/tenants/${enc(name)}`,
      codes: TENANT,
    });
    return { name: json.name };
  }

  async createDatabase(tenant: string, name: string): Promise<DatabaseDescription> {
    await this.http.request({
      method: "POST",
      path: `/api/v2/tenants/${enc(tenant)}/databases`,
      body: { name },
      codes: DATABASE,
    });
    return this.getDatabase(tenant, name);
  }

  async getDatabase(tenant: string, name: string): Promise<DatabaseDescription> {
    const json = await this.http.request<{ id: string; name: string; tenant: string }>({
      method: "GET",
      path: HttpBackend.databasePath(tenant, name),
      codes: DATABASE,
    });
    return toDatabase(json, tenant);
  }

  async listDatabases(tenant: string, limit: number, offset: number): Promise<DatabaseDescription[]> {
    const rows = await this.http.request<{ id: string; name: string; tenant: string }[]>({
      method: "GET",
      path: `/api/v2/tenants/${enc(tenant)}/databases`,
      query: { limit: Math.min(limit, ALL), offset },
      codes: TENANT,
    });
    return rows.map((row) => toDatabase(row, tenant));
  }

  async deleteDatabase(tenant: string, name: string): Promise<void> {
    await this.http.request({
      method: "DELETE",
      path: HttpBackend.databasePath(tenant, name),
      codes: DATABASE,
    });
  }

  async reset(): Promise<void> {
    await this.http.request({ method: "POST", path: "/api/v2/reset" });
    this.namespaces.clear();
  }

  async close(): Promise<void> {
    this.http.close();
  }

  /**
   * Writes a batch. To a Cairn server the policy travels in the body's `cairn` field (one request, one
   * transaction on the server). A server without that extension (Chroma) gets a plain Chroma request: its add
   * ignores existing ids whatever `onDuplicate` says, and a replacing upsert is emulated by reading the stored
   * metadata first and deleting stale keys with `null` (two requests, not atomic).
   */
  async write(
    collectionId: string,
    mode: "add" | "upsert" | "update",
    batch: ValidatedWrite,
    policy: WritePolicy,
  ): Promise<void> {
    const capabilities = mode !== "update" || batch.embeddings ? await this.capabilities() : undefined;
    const body = toWriteBody(batch, capabilities?.supports_base64_encoding === true);
    if (mode !== "update" && capabilities?.cairn_write_options === true) {
      const cairn: CairnWriteOptionsJson =
        mode === "add" ? { on_duplicate: policy.onDuplicate } : { metadata: policy.metadata };
      body.cairn = cairn;
    } else if (mode === "upsert" && policy.metadata === "replace") {
      body.metadatas = await this.replacingMetadatas(collectionId, batch);
    }
    await this.http.request({
      method: "POST",
      path: this.recordPath(collectionId, mode),
      body,
      codes: { 404: "COLLECTION_NOT_FOUND", 409: "DUPLICATE_ID" },
    });
  }

  /** For a server without Cairn's write options: metadatas whose `null`s delete every stored key not given. */
  private async replacingMetadatas(
    collectionId: string,
    batch: ValidatedWrite,
  ): Promise<(Record<string, unknown> | null)[]> {
    const stored = await this.get(collectionId, { ids: batch.ids }, {}, ["metadatas"]);
    const old = new Map(stored.ids.map((id, j) => [id, stored.metadatas?.[j] ?? null] as const));
    return batch.ids.map((id, i) => {
      const next: Record<string, unknown> = Object.create(null);
      for (const key of Object.keys(old.get(id) ?? {})) next[key] = null;
      Object.assign(next, batch.metadatas?.[i] ?? {});
      return Object.keys(next).length > 0 ? { ...next } : null;
    });
  }

  async get(
    collectionId: string,
    selection: ValidatedSelection,
    page: { limit?: number | undefined; offset?: number | undefined },
    include: IncludeField[],
  ): Promise<GetColumns> {
    const json = await this.http.request<GetResponseJson>({
      method: "POST",
      path: this.recordPath(collectionId, "get"),
      body: { ...toSelectionBody(selection), limit: page.limit, offset: page.offset, include },
      codes: COLLECTION,
    });
    return columnsFromGet(json, include);
  }

  async query(
    collectionId: string,
    vectors: Float32Array[],
    k: number,
    selection: ValidatedSelection,
    include: IncludeField[],
  ): Promise<QueryColumns> {
    const json = await this.http.request<QueryResponseJson>({
      method: "POST",
      path: this.recordPath(collectionId, "query"),
      // Chroma accepts base64 only on writes: query vectors go as plain arrays.
      body: {
        ...toSelectionBody(selection),
        query_embeddings: vectors.map((v) => Array.from(v)),
        n_results: k,
        include,
      },
      codes: COLLECTION,
    });
    return columnsFromQuery(json, include);
  }

  async delete(
    collectionId: string,
    selection: ValidatedSelection,
    limit: number | undefined,
  ): Promise<number> {
    const json = await this.http.request<{ deleted?: number } | null>({
      method: "POST",
      path: this.recordPath(collectionId, "delete"),
      body: { ...toSelectionBody(selection), limit },
      codes: COLLECTION,
    });
    // Chroma 1.0 answers `{}`: the count is unknown there.
    return json?.deleted ?? 0;
  }

  count(collectionId: string): Promise<number> {
    return this.http.request<number>({
      method: "GET",
      path: this.recordPath(collectionId, "count"),
      codes: COLLECTION,
    });
  }

  async modify(
    collectionId: string,
    changes: {
      name?: string | undefined;
      metadata?: CollectionMetadata | null | undefined;
      configuration?: unknown;
    },
  ): Promise<CollectionDescription> {
    await this.http.request({
      method: "PUT",
      path: this.recordPath(collectionId),
      body: {
        new_name: changes.name,
        // `null` (drop all metadata) goes as `{}`: on the wire `null` means "unchanged".
        new_metadata: changes.metadata === null ? {} : changes.metadata,
        new_configuration: changes.configuration,
      },
      codes: COLLECTION,
    });
    return this.describe(collectionId);
  }
}
