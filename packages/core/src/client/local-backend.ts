/**
 * The backend of the embedded clients: calls the synchronous engine. Async only at this boundary.
 */
import type { ClientBackend, CollectionDescription } from "../collection/backend";
import type { ValidatedSelection, ValidatedWrite } from "../collection/validate";
import type { CollectionModel, Engine, Selection, WritePolicy } from "../engine";
import { NotFoundError } from "../errors";
import type { IncludeField } from "../types";
import { CAIRN_VERSION } from "../version";

const describe = (m: CollectionModel): CollectionDescription => ({
  id: m.id,
  name: m.name,
  tenant: m.tenant,
  database: m.database,
  metadata: m.metadata,
  configuration: m.config,
  dimension: m.dimension,
});

const toSelection = (s: ValidatedSelection): Selection => ({
  ids: s.ids,
  where: s.where?.ast,
  whereDocument: s.whereDocument?.ast,
});

/** A ClientBackend over an embedded engine. */
export class LocalBackend implements ClientBackend {
  constructor(private readonly engine: Engine) {}

  async heartbeat(): Promise<number> {
    return Date.now() * 1_000_000;
  }
  async version(): Promise<string> {
    return CAIRN_VERSION;
  }
  async createCollection(input: Parameters<ClientBackend["createCollection"]>[0]) {
    const { collection, created } = this.engine.createCollection({ ...input, config: input.configuration });
    return { collection: describe(collection), created };
  }
  async getCollection(tenant: string, database: string, name: string) {
    return describe(this.engine.getCollection(tenant, database, name));
  }
  async getCollectionById(id: string) {
    return describe(this.engine.getCollectionById(id));
  }
  async describe(id: string) {
    return describe(this.engine.getCollectionById(id));
  }
  async listCollections(tenant: string, database: string, limit: number, offset: number) {
    return this.engine.listCollections(tenant, database, limit, offset).map(describe);
  }
  async countCollections(tenant: string, database: string) {
    return this.engine.countCollections(tenant, database);
  }
  async deleteCollection(tenant: string, database: string, name: string) {
    this.engine.deleteCollection(tenant, database, name);
  }
  async createTenant(name: string) {
    this.engine.createTenant(name);
  }
  async getTenant(name: string) {
    if (!this.engine.tenantExists(name)) {
      throw new NotFoundError("TENANT_NOT_FOUND", `Tenant '${name}' does not exist.`, { details: { name } });
    }
    return { name };
  }
  async createDatabase(tenant: string, name: string) {
    return this.engine.createDatabase(tenant, name);
  }
  async getDatabase(tenant: string, name: string) {
    return this.engine.getDatabase(tenant, name);
  }
  async listDatabases(tenant: string, limit: number, offset: number) {
    return this.engine.listDatabases(tenant, limit, offset);
  }
  async deleteDatabase(tenant: string, name: string) {
    this.engine.deleteDatabase(tenant, name);
  }
  async reset() {
    this.engine.reset();
  }
  async close() {
    this.engine.close();
  }

  async write(
    collectionId: string,
    mode: "add" | "upsert" | "update",
    batch: ValidatedWrite,
    policy: WritePolicy,
  ) {
    this.engine.writeRecords(collectionId, mode, batch, policy);
  }
  async get(
    collectionId: string,
    selection: ValidatedSelection,
    page: { limit?: number; offset?: number },
    include: IncludeField[],
  ) {
    return this.engine.getRecords(collectionId, { selection: toSelection(selection), page, include });
  }
  async query(
    collectionId: string,
    vectors: Float32Array[],
    k: number,
    selection: ValidatedSelection,
    include: IncludeField[],
  ) {
    return this.engine.queryRecords(collectionId, { vectors, k, selection: toSelection(selection), include });
  }
  async delete(collectionId: string, selection: ValidatedSelection, limit: number | undefined) {
    return this.engine.deleteRecords(collectionId, toSelection(selection), limit);
  }
  async count(collectionId: string) {
    return this.engine.count(collectionId);
  }
  async modify(collectionId: string, changes: Parameters<ClientBackend["modify"]>[1]) {
    return describe(this.engine.modifyCollection(collectionId, changes));
  }
}
