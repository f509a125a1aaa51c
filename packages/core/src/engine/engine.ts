/**
 * The engine: the only module that touches both storage and the vector index. Synchronous; every public
 * method runs in one SQLite transaction (IMMEDIATE for writes), and only Cairn errors leave it (see
 * `transactor.ts`). Any number of engines — in threads or processes — may open the same folder.
 */
import { rmSync } from "node:fs";
import { join } from "node:path";
import { applyConfigUpdate, type CollectionConfig } from "../config";
import { ConflictError, NotFoundError } from "../errors";
import * as store from "../storage";
import type { CollectionMetadata, GetColumns, Logger, QueryColumns } from "../types";
import { type IndexFactory, tieredIndexFactory } from "./index-factory";
import { requireName } from "./arguments";
import { afterCommit } from "./commit";
import { IndexManager } from "./index-manager";
import * as ns from "./namespaces";
import { openDatabaseFolder } from "./open";
import { explainQuery, runGet, runQuery } from "./executor";
import type { GetRequest, QueryPlan, QueryRequest } from "./planner";
import { type Selection, selectedLabels } from "./reader";
import { removeCollectionSnapshots } from "./snapshots";
import { Transactor } from "./transactor";
import type { VectorChanges, WriteBatch, WriteMode } from "./types";
import { type VacuumResult, vacuumDatabase } from "./vacuum";
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
export type CollectionModel = ns.CollectionModel;

/** File name of the SQLite database inside a Cairn folder. */
export const DATABASE_FILE = "cairn.sqlite3";

/** One open Cairn database. */
export class Engine {
  readonly file: string | null;
  private readonly db: store.Db;
  private readonly indexes: IndexManager;
  private readonly tx: Transactor;
  private closed = false;

  constructor(private readonly options: EngineOptions) {
    this.file = options.path ? join(options.path, DATABASE_FILE) : null;
    this.db = openDatabaseFolder(options.path, this.file, options);
    this.tx = new Transactor(this.db, this.file, () => this.closed);
    this.indexes = new IndexManager(
      this.db,
      options.path,
      options.indexFactory ?? tieredIndexFactory,
      options.logger,
    );
  }

  /** Runs `fn` in a read transaction (one consistent snapshot). */
  private read<T>(fn: () => T): T {
    return this.tx.read(fn);
  }

  /** Runs `fn` in an IMMEDIATE write transaction, queueing behind other writers (see `Transactor`). */
  private write<T>(fn: () => T): T {
    return this.tx.write(fn);
  }

  // ---- namespace -------------------------------------------------------------------------------------------

  private databaseId(tenant: string, database: string): string {
    return ns.databaseId(this.db, tenant, database);
  }

  private requireById(id: string): CollectionModel {
    return ns.requireCollection(this.db, id);
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
      const existing = store.findCollectionByName(this.db, databaseId, requireName(input.name, "name"));
      if (existing) {
        if (!input.getOrCreate) {
          throw new ConflictError(
            "COLLECTION_EXISTS",
            `Collection '${input.name}' already exists. Use getOrCreateCollection() or getCollection().`,
            {
              details: { name: input.name },
            },
          );
        }
        return { collection: ns.toModel(existing, input.tenant, input.database), created: false };
      }
      const row = ns.newCollectionRow(databaseId, input.name, input.metadata, input.config);
      store.insertCollection(this.db, row);
      return { collection: ns.toModel(row, input.tenant, input.database), created: true };
    });
  }

  /** A collection by name. */
  getCollection(tenant: string, database: string, name: string): CollectionModel {
    return this.read(() => {
      const row = store.findCollectionByName(
        this.db,
        this.databaseId(tenant, database),
        requireName(name, "name"),
      );
      if (!row) {
        throw new NotFoundError(
          "COLLECTION_NOT_FOUND",
          `Collection '${name}' does not exist. Create it with createCollection().`,
          {
            details: { name },
          },
        );
      }
      return ns.toModel(row, tenant, database);
    });
  }

  /** A collection by id (current name, metadata, config and dimension). */
  getCollectionById(id: string): CollectionModel {
    return this.read(() => this.requireById(id));
  }

  /** Collections of a database in creation order. */
  listCollections(tenant: string, database: string, limit: number, offset: number): CollectionModel[] {
    return this.read(() => {
      const databaseId = ns.findDatabaseId(this.db, tenant, database);
      if (!databaseId) return [];
      return store
        .listCollectionRows(this.db, databaseId, limit, offset)
        .map((row) => ns.toModel(row, tenant, database));
    });
  }

  /** Number of collections in a database (0 when it does not exist, like Chroma). */
  countCollections(tenant: string, database: string): number {
    return this.read(() => {
      const databaseId = ns.findDatabaseId(this.db, tenant, database);
      return databaseId ? store.countCollectionRows(this.db, databaseId) : 0;
    });
  }

  /**
   * Renames a collection, replaces its metadata, and/or applies a mutable configuration update to the stored
   * configuration (inside the transaction, so concurrent modifies do not lose each other's changes).
   */
  modifyCollection(
    id: string,
    changes: {
      name?: string | undefined;
      metadata?: CollectionMetadata | null | undefined;
      configuration?: unknown;
    },
  ): CollectionModel {
    return this.write(() => {
      const current = this.requireById(id);
      const config =
        changes.configuration === undefined
          ? undefined
          : applyConfigUpdate(current.config, changes.configuration);
      if (changes.name !== undefined && changes.name !== current.name) {
        const databaseId = this.databaseId(current.tenant, current.database);
        if (store.findCollectionByName(this.db, databaseId, requireName(changes.name, "name"))) {
          throw new ConflictError(
            "COLLECTION_EXISTS",
            `Cannot rename '${current.name}' to '${changes.name}': that name is taken.`,
            {
              details: { name: changes.name },
            },
          );
        }
      }
      store.updateCollectionRow(this.db, id, {
        name: changes.name,
        metadata: changes.metadata === undefined ? undefined : ns.metadataText(changes.metadata),
        config: config ? JSON.stringify(config) : undefined,
      });
      return this.requireById(id);
    });
  }

  /** Deletes a collection with all its records and index files. */
  deleteCollection(tenant: string, database: string, name: string): void {
    const id = this.write(() => {
      const row = store.findCollectionByName(
        this.db,
        this.databaseId(tenant, database),
        requireName(name, "name"),
      );
      if (!row)
        throw new NotFoundError("COLLECTION_NOT_FOUND", `Collection '${name}' does not exist.`, {
          details: { name },
        });
      store.deleteCollectionRows(this.db, row.id);
      return row.id;
    });
    this.forgetIndexes([id]);
  }

  /** Drops the in-memory indexes and snapshot folders of deleted collections. */
  private forgetIndexes(ids: string[]): void {
    for (const id of ids) {
      this.indexes.drop(id);
      if (this.options.path) this.tx.guard(() => removeCollectionSnapshots(this.options.path!, id));
    }
  }

  // ---- tenants and databases ------------------------------------------------------------------------------

  /** Creates a tenant. */
  createTenant(name: string): void {
    this.write(() => ns.createTenant(this.db, name));
  }

  /** Whether a tenant exists. */
  tenantExists(name: string): boolean {
    return this.read(() => store.tenantExists(this.db, requireName(name, "name")));
  }

  /** Creates a database under a tenant (creating the tenant if needed, as Chroma does). */
  createDatabase(tenant: string, name: string): ns.DatabaseModel {
    return this.write(() => ns.createDatabase(this.db, tenant, name));
  }

  /** A database row. */
  getDatabase(tenant: string, name: string): ns.DatabaseModel {
    return this.read(() => ({ id: this.databaseId(tenant, name), tenant, name }));
  }

  /** A tenant's databases. */
  listDatabases(tenant: string, limit: number, offset: number): ns.DatabaseModel[] {
    return this.read(() => store.listDatabases(this.db, requireName(tenant, "tenant"), limit, offset));
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
    this.forgetIndexes(ids);
  }

  /** Deletes everything: every tenant, database and collection (the defaults are recreated). */
  reset(): void {
    this.write(() => store.deleteAllData(this.db));
    this.indexes.close(() => undefined);
    if (this.options.path)
      this.tx.guard(() => rmSync(join(this.options.path!, "index"), { recursive: true, force: true }));
  }

  // ---- records --------------------------------------------------------------------------------------------

  /**
   * Catches the collection's index up with every committed change in a read transaction, i.e. without holding
   * the write lock: index work (HNSW inserts) never delays other writers. When no other write lands before this
   * one commits, the index is then exactly one write behind and `applyCommitted` applies it from memory;
   * otherwise the index catches up from SQLite on its next use, again outside the lock.
   */
  private catchUpOutsideLock(collectionId: string): void {
    this.read(() => this.indexes.current(this.requireById(collectionId)));
  }

  /** After a commit: see `afterCommit` (never throws; the write is durable already). */
  private committed(collection: CollectionModel, changes: VectorChanges, records: number): void {
    afterCommit(
      { indexes: this.indexes, logger: this.options.logger, db: this.db, file: this.file },
      collection,
      changes,
      records,
    );
  }

  /** Writes a validated, embedded batch in one transaction. */
  writeRecords(collectionId: string, mode: WriteMode, batch: WriteBatch): void {
    this.catchUpOutsideLock(collectionId);
    let collection: CollectionModel | undefined;
    const changes = this.write(() => {
      collection = this.requireById(collectionId);
      const result = writeBatch(this.db, collection, mode, batch);
      collection = this.requireById(collectionId);
      return result;
    });
    this.committed(collection!, changes, batch.ids.length);
  }

  /** Deletes the selected records; returns how many were deleted. */
  deleteRecords(collectionId: string, selection: Selection, limit?: number): number {
    this.catchUpOutsideLock(collectionId);
    let collection: CollectionModel | undefined;
    const changes = this.write(() => {
      collection = this.requireById(collectionId);
      const labels = selectedLabels(this.db, collectionId, selection, { limit });
      const result = deleteLabels(this.db, collectionId, labels);
      // In memory no other connection exists, so nothing wrote since the catch-up: the one index has applied
      // every earlier delete.
      if (!this.file && result.seq > 0) store.dropTombstonesBefore(this.db, collectionId, result.seq);
      return result;
    });
    this.committed(collection!, changes, changes.removals.length);
    return changes.removals.length;
  }

  /** Selected records in insertion order, column-wise (see `planner.ts` / `executor.ts`). */
  getRecords(collectionId: string, request: GetRequest): GetColumns {
    return this.read(() => runGet(this.db, this.requireById(collectionId), request));
  }

  /** Nearest neighbours among the selected records, column-wise: one inner array per query vector. */
  queryRecords(collectionId: string, request: QueryRequest): QueryColumns {
    return this.read(() =>
      runQuery({ db: this.db, indexes: this.indexes }, this.requireById(collectionId), request),
    );
  }

  /** @internal The plan a query would run with (allowed set resolved, nothing searched), for debugging. */
  explainQuery(collectionId: string, request: QueryRequest): QueryPlan {
    return this.read(() =>
      explainQuery({ db: this.db, indexes: this.indexes }, this.requireById(collectionId), request),
    );
  }

  /** Number of records in a collection. */
  count(collectionId: string): number {
    return this.read(() => {
      this.requireById(collectionId);
      return store.countRecords(this.db, collectionId);
    });
  }

  /**
   * Reclaims space: rebuilds every collection's index from SQLite (dropping HNSW tombstones) and snapshots it,
   * prunes tombstone rows, merges the full-text index, runs `VACUUM` and truncates the WAL. Safe while other
   * processes have the database open (their writes wait while the file is rewritten).
   */
  vacuum(): VacuumResult {
    return vacuumDatabase({
      db: this.db,
      tx: this.tx,
      root: this.options.path,
      factory: this.options.indexFactory ?? tieredIndexFactory,
      collections: () =>
        this.read(() => store.allCollectionIds(this.db).map((id) => this.requireById(id))).filter(
          (c) => c.dimension !== null,
        ),
      dropIndex: (id) => this.indexes.drop(id),
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
