/**
 * The engine: the only module that touches both storage and the vector index. Synchronous; every public
 * method runs in one SQLite transaction (IMMEDIATE for writes) and maps SQLite failures to Cairn errors.
 */
import { randomUUID } from "node:crypto";
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { applyConfigUpdate, type CollectionConfig } from "../config";
import { ConflictError, NotFoundError, StorageError } from "../errors";
import * as store from "../storage";
import type { CollectionMetadata, Logger } from "../types";
import { type IndexFactory, tieredIndexFactory } from "./index-factory";
import { type CollectionInfo, IndexManager } from "./index-manager";
import { getRows, type Hit, queryRows, type Selection, selectedLabels } from "./reader";
import { removeCollectionSnapshots } from "./snapshots";
import type { WriteBatch, WriteMode } from "./types";
import { deleteLabels, writeBatch } from "./writer";

/** How an engine is opened. */
export interface EngineOptions {
  /** Database folder, or null for in-memory. */
  path: string | null;
  logger: Logger;
  busyTimeoutMs: number;
  durability: "normal" | "full";
  indexFactory?: IndexFactory;
}

/** A collection as the engine describes it. */
export interface CollectionModel extends CollectionInfo {
  tenant: string;
  database: string;
  metadata: CollectionMetadata | null;
}

/** File name of the SQLite database inside a Cairn folder. */
export const DATABASE_FILE = "cairn.sqlite3";

const BUSY_RETRIES = 5;

/** One open Cairn database. */
export class Engine {
  readonly file: string | null;
  private readonly db: store.Db;
  private readonly indexes: IndexManager;
  private closed = false;

  constructor(private readonly options: EngineOptions) {
    if (options.path) mkdirSync(options.path, { recursive: true });
    this.file = options.path ? join(options.path, DATABASE_FILE) : null;
    this.db = store.openDatabase({ file: this.file, busyTimeoutMs: options.busyTimeoutMs, durability: options.durability });
    this.indexes = new IndexManager(this.db, options.path, options.indexFactory ?? tieredIndexFactory, options.logger);
  }

  /** Runs `fn` in a read transaction (one consistent snapshot). */
  read<T>(fn: () => T): T {
    return this.guard(() => this.db.transaction(fn)());
  }

  /** Runs `fn` in a write transaction; retries when another process holds the lock past the busy timeout. */
  write<T>(fn: () => T): T {
    for (let attempt = 0; ; attempt++) {
      try {
        return this.guard(() => this.db.transaction(fn).immediate());
      } catch (error) {
        if (!(error instanceof StorageError && error.code === "STORAGE_BUSY") || attempt >= BUSY_RETRIES) throw error;
      }
    }
  }

  private guard<T>(fn: () => T): T {
    if (this.closed) throw new StorageError("CLIENT_CLOSED", "The client is closed; open a new one.");
    try {
      return fn();
    } catch (error) {
      throw store.toStorageError(error, this.file);
    }
  }

  // ---- namespace -------------------------------------------------------------------------------------------

  /** The id of a database, or a DATABASE_NOT_FOUND error. */
  databaseId(tenant: string, database: string): string {
    const row = store.findDatabase(this.db, tenant, database);
    if (!row) {
      throw new NotFoundError("DATABASE_NOT_FOUND", `Database '${database}' of tenant '${tenant}' does not exist. Create it first.`, {
        details: { tenant, database },
      });
    }
    return row.id;
  }

  private model(row: store.CollectionRow, tenant: string, database: string): CollectionModel {
    return {
      id: row.id,
      name: row.name,
      tenant,
      database,
      metadata: row.metadata ? (JSON.parse(row.metadata) as CollectionMetadata) : null,
      config: JSON.parse(row.config) as CollectionConfig,
      dimension: row.dimension,
    };
  }

  private namespaceOf(databaseId: string): { tenant: string; database: string } {
    const row = this.db.prepare("SELECT tenant, name FROM databases WHERE id = ?").get(databaseId) as
      | { tenant: string; name: string }
      | undefined;
    return { tenant: row?.tenant ?? "", database: row?.name ?? "" };
  }

  /** Creates a collection, or returns the existing one when `getOrCreate` (its settings unchanged). */
  createCollection(input: {
    tenant: string;
    database: string;
    name: string;
    metadata: CollectionMetadata | null;
    config: CollectionConfig;
    getOrCreate: boolean;
  }): { collection: CollectionModel; created: boolean } {
    return this.write(() => {
      const databaseId = this.databaseId(input.tenant, input.database);
      const existing = store.findCollectionByName(this.db, databaseId, input.name);
      if (existing) {
        if (!input.getOrCreate) {
          throw new ConflictError("COLLECTION_EXISTS", `Collection '${input.name}' already exists. Use getOrCreateCollection() or getCollection().`, {
            details: { name: input.name },
          });
        }
        return { collection: this.model(existing, input.tenant, input.database), created: false };
      }
      const row: store.CollectionRow = {
        id: randomUUID(),
        databaseId,
        name: input.name,
        metadata: input.metadata && Object.keys(input.metadata).length > 0 ? JSON.stringify(input.metadata) : null,
        config: JSON.stringify(input.config),
        dimension: null,
        createdAt: Date.now(),
      };
      store.insertCollection(this.db, row);
      return { collection: this.model(row, input.tenant, input.database), created: true };
    });
  }

  /** A collection by name. */
  getCollection(tenant: string, database: string, name: string): CollectionModel {
    return this.read(() => {
      const row = store.findCollectionByName(this.db, this.databaseId(tenant, database), name);
      if (!row) {
        throw new NotFoundError("COLLECTION_NOT_FOUND", `Collection '${name}' does not exist. Create it with createCollection().`, {
          details: { name },
        });
      }
      return this.model(row, tenant, database);
    });
  }

  /** A collection by id (current name, metadata, config and dimension). */
  getCollectionById(id: string): CollectionModel {
    return this.read(() => this.requireById(id));
  }

  private requireById(id: string): CollectionModel {
    const row = store.findCollectionById(this.db, id);
    if (!row) {
      throw new NotFoundError("COLLECTION_NOT_FOUND", `Collection ${id} does not exist (it was deleted).`, { details: { id } });
    }
    const ns = this.namespaceOf(row.databaseId);
    return this.model(row, ns.tenant, ns.database);
  }

  /** Collections of a database in creation order. */
  listCollections(tenant: string, database: string, limit: number, offset: number): CollectionModel[] {
    return this.read(() => {
      const databaseId = store.findDatabase(this.db, tenant, database)?.id;
      if (!databaseId) return [];
      return store.listCollectionRows(this.db, databaseId, limit, offset).map((row) => this.model(row, tenant, database));
    });
  }

  /** Number of collections in a database (0 when it does not exist, like Chroma). */
  countCollections(tenant: string, database: string): number {
    return this.read(() => {
      const databaseId = store.findDatabase(this.db, tenant, database)?.id;
      return databaseId ? store.countCollectionRows(this.db, databaseId) : 0;
    });
  }

  /**
   * Renames a collection, replaces its metadata, and/or applies a mutable configuration update to the stored
   * configuration (inside the transaction, so concurrent modifies do not lose each other's changes).
   */
  modifyCollection(
    id: string,
    changes: { name?: string | undefined; metadata?: CollectionMetadata | null | undefined; configuration?: unknown },
  ): CollectionModel {
    return this.write(() => {
      const current = this.requireById(id);
      const config = changes.configuration === undefined ? undefined : applyConfigUpdate(current.config, changes.configuration);
      if (changes.name !== undefined && changes.name !== current.name) {
        const databaseId = this.databaseId(current.tenant, current.database);
        if (store.findCollectionByName(this.db, databaseId, changes.name)) {
          throw new ConflictError("COLLECTION_EXISTS", `Cannot rename '${current.name}' to '${changes.name}': that name is taken.`, {
            details: { name: changes.name },
          });
        }
      }
      store.updateCollectionRow(this.db, id, {
        name: changes.name,
        metadata:
          changes.metadata === undefined
            ? undefined
            : changes.metadata && Object.keys(changes.metadata).length > 0
              ? JSON.stringify(changes.metadata)
              : null,
        config: config ? JSON.stringify(config) : undefined,
      });
      return this.requireById(id);
    });
  }

  /** Deletes a collection with all its records and index files. */
  deleteCollection(tenant: string, database: string, name: string): void {
    const id = this.write(() => {
      const row = store.findCollectionByName(this.db, this.databaseId(tenant, database), name);
      if (!row) throw new NotFoundError("COLLECTION_NOT_FOUND", `Collection '${name}' does not exist.`, { details: { name } });
      store.deleteCollectionRows(this.db, row.id);
      return row.id;
    });
    this.indexes.drop(id);
    if (this.options.path) removeCollectionSnapshots(this.options.path, id);
  }

  // ---- tenants and databases ------------------------------------------------------------------------------

  /** Creates a tenant. */
  createTenant(name: string): void {
    this.write(() => {
      if (!store.insertTenant(this.db, name)) {
        throw new ConflictError("TENANT_EXISTS", `Tenant '${name}' already exists.`, { details: { name } });
      }
    });
  }

  /** Whether a tenant exists. */
  tenantExists(name: string): boolean {
    return this.read(() => store.tenantExists(this.db, name));
  }

  /** Creates a database under a tenant (creating the tenant if needed, as Chroma does). */
  createDatabase(tenant: string, name: string): { id: string; tenant: string; name: string } {
    return this.write(() => {
      const row = { id: randomUUID(), tenant, name };
      if (!store.insertDatabase(this.db, row)) {
        throw new ConflictError("DATABASE_EXISTS", `Database '${name}' already exists in tenant '${tenant}'.`, { details: { tenant, name } });
      }
      return row;
    });
  }

  /** A database row. */
  getDatabase(tenant: string, name: string): { id: string; tenant: string; name: string } {
    return this.read(() => {
      const id = this.databaseId(tenant, name);
      return { id, tenant, name };
    });
  }

  /** A tenant's databases. */
  listDatabases(tenant: string, limit: number, offset: number): { id: string; tenant: string; name: string }[] {
    return this.read(() => store.listDatabases(this.db, tenant, limit, offset));
  }

  /** Deletes a database and its collections. */
  deleteDatabase(tenant: string, name: string): void {
    const ids = this.write(() => {
      const databaseId = this.databaseId(tenant, name);
      const rows = store.listCollectionRows(this.db, databaseId, -1, 0);
      for (const row of rows) store.deleteCollectionRows(this.db, row.id);
      store.deleteDatabaseRow(this.db, databaseId);
      return rows.map((r) => r.id);
    });
    for (const id of ids) {
      this.indexes.drop(id);
      if (this.options.path) removeCollectionSnapshots(this.options.path, id);
    }
  }

  /** Deletes everything: every tenant, database and collection (the defaults are recreated). */
  reset(): void {
    this.write(() => {
      this.db.exec(
        "DELETE FROM records_fts; DELETE FROM record_metadata; DELETE FROM records; DELETE FROM tombstones; DELETE FROM collections; DELETE FROM databases; DELETE FROM tenants;",
      );
      this.db.prepare("INSERT INTO tenants (name) VALUES (?)").run(store.DEFAULT_TENANT);
      this.db
        .prepare("INSERT INTO databases (id, tenant, name) VALUES (?, ?, ?)")
        .run(store.DEFAULT_DATABASE_ID, store.DEFAULT_TENANT, store.DEFAULT_DATABASE);
    });
    this.indexes.close(() => undefined);
    if (this.options.path) rmSync(join(this.options.path, "index"), { recursive: true, force: true });
  }

  // ---- records --------------------------------------------------------------------------------------------

  /** Writes a validated, embedded batch in one transaction. */
  writeRecords(collectionId: string, mode: WriteMode, batch: WriteBatch): void {
    let collection: CollectionModel | undefined;
    const changes = this.write(() => {
      collection = this.requireById(collectionId);
      // Catch the index up to the state before this write, so the write itself is applied from memory.
      this.indexes.current(collection);
      const result = writeBatch(this.db, collection, mode, batch);
      collection = this.requireById(collectionId);
      return result;
    });
    this.indexes.applyCommitted(collection!, changes);
  }

  /** Deletes the selected records; returns how many were deleted. */
  deleteRecords(collectionId: string, selection: Selection, limit?: number): number {
    let collection: CollectionModel | undefined;
    const changes = this.write(() => {
      collection = this.requireById(collectionId);
      const labels = selectedLabels(this.db, collectionId, selection, { limit });
      this.indexes.current(collection);
      return deleteLabels(this.db, collectionId, labels);
    });
    this.indexes.applyCommitted(collection!, changes);
    return changes.removals.length;
  }

  /** Selected records in insertion order. */
  getRecords(
    collectionId: string,
    selection: Selection,
    page: { limit?: number | undefined; offset?: number | undefined },
    withEmbeddings: boolean,
  ): store.RecordRow[] {
    return this.read(() => {
      this.requireById(collectionId);
      return getRows(this.db, collectionId, selection, page, withEmbeddings);
    });
  }

  /** Nearest neighbours among the selected records, one list per query vector. */
  queryRecords(
    collectionId: string,
    query: { vectors: Float32Array[]; k: number; selection: Selection; withEmbeddings: boolean },
  ): Hit[][] {
    return this.read(() => queryRows(this.db, this.indexes, this.requireById(collectionId), query));
  }

  /** Number of records in a collection. */
  count(collectionId: string): number {
    return this.read(() => {
      this.requireById(collectionId);
      return store.countRecords(this.db, collectionId);
    });
  }

  /** Writes due index snapshots and closes the database. Idempotent. */
  close(): void {
    if (this.closed) return;
    try {
      this.indexes.close((id) => {
        try {
          return this.requireById(id);
        } catch {
          return undefined;
        }
      });
    } finally {
      this.closed = true;
      this.db.close();
    }
  }
}
