/**
 * The engine: the only module that touches both storage and the vector index. Synchronous; every public
 * method runs in one SQLite transaction (IMMEDIATE for writes), and only Cairn errors leave it (see
 * `transactor.ts`). Any number of engines — in threads or processes — may open the same folder.
 *
 * `Engine` is a thin composition: it opens the database and builds the shared {@link EngineContext}; the work
 * lives in one module per job — `collections.ts` (collection lifecycle), `databases.ts` (tenants, databases,
 * reset), `writes.ts` (add / upsert / update / delete), `reads.ts` (get / query / count) and `vacuum.ts`.
 */
import { join } from "node:path";
import * as store from "../storage";
import type { GetColumns, Logger, QueryColumns } from "../types";
import * as collections from "./collections";
import type { EngineContext } from "./context";
import * as databases from "./databases";
import { type IndexFactory, tieredIndexFactory } from "./index-factory";
import { IndexManager } from "./index-manager";
import * as ns from "./namespaces";
import { openDatabaseFolder } from "./open";
import type { GetRequest, QueryPlan, QueryRequest } from "./planner";
import * as reads from "./reads";
import type { Selection } from "./reader";
import { Transactor } from "./transactor";
import { DEFAULT_WRITE_POLICY, type WriteBatch, type WriteMode, type WritePolicy } from "./types";
import { type VacuumResult, vacuumDatabase } from "./vacuum";
import * as writes from "./writes";

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
  private readonly ctx: EngineContext;
  private closed = false;

  constructor(options: EngineOptions) {
    this.file = options.path ? join(options.path, DATABASE_FILE) : null;
    const db = openDatabaseFolder(options.path, this.file, options);
    const tx = new Transactor(db, this.file, () => this.closed);
    const factory = options.indexFactory ?? tieredIndexFactory;
    this.ctx = {
      db,
      file: this.file,
      root: options.path,
      tx,
      indexes: new IndexManager(db, tx, options.path, factory, options.logger),
      factory,
      logger: options.logger,
      known: new Map(),
    };
  }

  // ---- collections ----------------------------------------------------------------------------------------

  /** Creates a collection, or returns the existing one when `getOrCreate` (its settings unchanged). */
  createCollection(input: collections.CreateCollectionInput): {
    collection: CollectionModel;
    created: boolean;
  } {
    return collections.createCollection(this.ctx, input);
  }

  /** A collection by name. */
  getCollection(tenant: string, database: string, name: string): CollectionModel {
    return collections.getCollection(this.ctx, tenant, database, name);
  }

  /** A collection by id (current name, metadata, config and dimension). */
  getCollectionById(id: string): CollectionModel {
    return collections.getCollectionById(this.ctx, id);
  }

  /** Collections of a database in creation order. */
  listCollections(tenant: string, database: string, limit: number, offset: number): CollectionModel[] {
    return collections.listCollections(this.ctx, tenant, database, limit, offset);
  }

  /** Number of collections in a database (0 when it does not exist, like Chroma). */
  countCollections(tenant: string, database: string): number {
    return collections.countCollections(this.ctx, tenant, database);
  }

  /** Renames a collection, replaces its metadata, and/or applies a mutable configuration update. */
  modifyCollection(id: string, changes: collections.CollectionChanges): CollectionModel {
    return collections.modifyCollection(this.ctx, id, changes);
  }

  /** Deletes a collection with all its records and index files. */
  deleteCollection(tenant: string, database: string, name: string): void {
    collections.deleteCollection(this.ctx, tenant, database, name);
  }

  // ---- tenants and databases ------------------------------------------------------------------------------

  /** Creates a tenant. */
  createTenant(name: string): void {
    databases.createTenant(this.ctx, name);
  }

  /** Whether a tenant exists. */
  tenantExists(name: string): boolean {
    return databases.tenantExists(this.ctx, name);
  }

  /** Creates a database under a tenant (creating the tenant if needed, as Chroma does). */
  createDatabase(tenant: string, name: string): ns.DatabaseModel {
    return databases.createDatabase(this.ctx, tenant, name);
  }

  /** A database row. */
  getDatabase(tenant: string, name: string): ns.DatabaseModel {
    return databases.getDatabase(this.ctx, tenant, name);
  }

  /** A tenant's databases. */
  listDatabases(tenant: string, limit: number, offset: number): ns.DatabaseModel[] {
    return databases.listDatabases(this.ctx, tenant, limit, offset);
  }

  /** Deletes a database and its collections. */
  deleteDatabase(tenant: string, name: string): void {
    databases.deleteDatabase(this.ctx, tenant, name);
  }

  /** Deletes everything: every tenant, database and collection (the defaults are recreated). */
  reset(): void {
    databases.reset(this.ctx);
  }

  // ---- records --------------------------------------------------------------------------------------------

  /**
   * Writes a validated, embedded batch in one transaction.
   * @returns how many records were written (ids skipped by `onDuplicate: "ignore"` not counted).
   */
  writeRecords(
    collectionId: string,
    mode: WriteMode,
    batch: WriteBatch,
    policy: WritePolicy = DEFAULT_WRITE_POLICY,
  ): number {
    return writes.writeRecords(this.ctx, collectionId, mode, batch, policy);
  }

  /** Deletes the selected records; returns how many were deleted. */
  deleteRecords(collectionId: string, selection: Selection, limit?: number): number {
    return writes.deleteRecords(this.ctx, collectionId, selection, limit);
  }

  /** Selected records in insertion order, column-wise (see `planner.ts` / `executor.ts`). */
  getRecords(collectionId: string, request: GetRequest): GetColumns {
    return reads.getRecords(this.ctx, collectionId, request);
  }

  /** Nearest neighbours among the selected records, column-wise: one inner array per query vector. */
  queryRecords(collectionId: string, request: QueryRequest): QueryColumns {
    return reads.queryRecords(this.ctx, collectionId, request);
  }

  /** @internal The plan a query would run with (allowed set resolved, nothing searched), for debugging. */
  explainQuery(collectionId: string, request: QueryRequest): QueryPlan {
    return reads.explainQuery(this.ctx, collectionId, request);
  }

  /** Number of records in a collection. */
  count(collectionId: string): number {
    return reads.count(this.ctx, collectionId);
  }

  // ---- maintenance ----------------------------------------------------------------------------------------

  /**
   * Reclaims space: rebuilds every collection's index from SQLite (dropping HNSW tombstones) and snapshots it,
   * prunes tombstone rows, merges the full-text index, runs `VACUUM` and truncates the WAL. Safe while other
   * processes have the database open (their writes wait while the file is rewritten).
   */
  vacuum(): VacuumResult {
    const { ctx } = this;
    return vacuumDatabase({
      db: ctx.db,
      tx: ctx.tx,
      root: ctx.root,
      factory: ctx.factory,
      collections: () =>
        ctx.tx
          .read(() => store.allCollectionIds(ctx.db).map((id) => ns.requireCollection(ctx.db, id)))
          .filter((c) => c.dimension !== null),
      dropIndex: (id) => ctx.indexes.drop(id),
    });
  }

  /** Writes due index snapshots and closes the database. Idempotent. */
  close(): void {
    if (this.closed) return;
    const { ctx } = this;
    try {
      ctx.indexes.close((id) => {
        try {
          return ctx.tx.read(() => ns.requireCollection(ctx.db, id));
        } catch {
          return undefined;
        }
      });
    } finally {
      this.closed = true;
      ctx.db.close();
    }
  }
}
