/**
 * Collection lifecycle: create, look up, list, count, modify and delete collections. Each function is one
 * transaction through the context's `Transactor`.
 */
import { applyConfigUpdate, type CollectionConfig } from "../config";
import { ConflictError, NotFoundError } from "../errors";
import * as store from "../storage";
import type { CollectionMetadata } from "../types";
import { requireName } from "./arguments";
import type { EngineContext } from "./context";
import * as ns from "./namespaces";
import { removeCollectionSnapshots } from "./snapshots";

type CollectionModel = ns.CollectionModel;

/** What {@link createCollection} needs. */
export interface CreateCollectionInput {
  tenant: string;
  database: string;
  name: string;
  metadata: CollectionMetadata | null;
  config: CollectionConfig;
  getOrCreate: boolean;
}

/** Changes {@link modifyCollection} applies. */
export interface CollectionChanges {
  name?: string | undefined;
  metadata?: CollectionMetadata | null | undefined;
  configuration?: unknown;
}

/** Creates a collection, or returns the existing one when `getOrCreate` (its settings unchanged). */
export function createCollection(
  ctx: EngineContext,
  input: CreateCollectionInput,
): { collection: CollectionModel; created: boolean } {
  return ctx.tx.write(() => {
    const databaseId = ns.databaseId(ctx.db, input.tenant, input.database);
    const existing = store.findCollectionByName(ctx.db, databaseId, requireName(input.name, "name"));
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
    store.insertCollection(ctx.db, row);
    return { collection: ns.toModel(row, input.tenant, input.database), created: true };
  });
}

/** A collection by name. */
export function getCollection(
  ctx: EngineContext,
  tenant: string,
  database: string,
  name: string,
): CollectionModel {
  return ctx.tx.read(() => {
    const row = store.findCollectionByName(
      ctx.db,
      ns.databaseId(ctx.db, tenant, database),
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
export function getCollectionById(ctx: EngineContext, id: string): CollectionModel {
  return ctx.tx.read(() => ns.requireCollection(ctx.db, id));
}

/** Collections of a database in creation order. */
export function listCollections(
  ctx: EngineContext,
  tenant: string,
  database: string,
  limit: number,
  offset: number,
): CollectionModel[] {
  return ctx.tx.read(() => {
    const databaseId = ns.findDatabaseId(ctx.db, tenant, database);
    if (!databaseId) return [];
    return store
      .listCollectionRows(ctx.db, databaseId, limit, offset)
      .map((row) => ns.toModel(row, tenant, database));
  });
}

/** Number of collections in a database (0 when it does not exist, like Chroma). */
export function countCollections(ctx: EngineContext, tenant: string, database: string): number {
  return ctx.tx.read(() => {
    const databaseId = ns.findDatabaseId(ctx.db, tenant, database);
    return databaseId ? store.countCollectionRows(ctx.db, databaseId) : 0;
  });
}

/**
 * Renames a collection, replaces its metadata, and/or applies a mutable configuration update to the stored
 * configuration (inside the transaction, so concurrent modifies do not lose each other's changes).
 */
export function modifyCollection(
  ctx: EngineContext,
  id: string,
  changes: CollectionChanges,
): CollectionModel {
  return ctx.tx.write(() => {
    const current = ns.requireCollection(ctx.db, id);
    const config =
      changes.configuration === undefined
        ? undefined
        : applyConfigUpdate(current.config, changes.configuration);
    const name = changes.name === undefined ? current.name : requireName(changes.name, "name");
    if (name !== current.name) {
      const databaseId = ns.databaseId(ctx.db, current.tenant, current.database);
      if (store.findCollectionByName(ctx.db, databaseId, name)) {
        throw new ConflictError(
          "COLLECTION_EXISTS",
          `Cannot rename '${current.name}' to '${name}': that name is taken.`,
          {
            details: { name },
          },
        );
      }
    }
    store.updateCollectionRow(ctx.db, id, {
      name: changes.name,
      metadata: changes.metadata === undefined ? undefined : ns.metadataText(changes.metadata),
      config: config ? JSON.stringify(config) : undefined,
    });
    ctx.known.delete(id);
    return ns.requireCollection(ctx.db, id);
  });
}

/** Deletes a collection with all its records and index files. */
export function deleteCollection(ctx: EngineContext, tenant: string, database: string, name: string): void {
  const id = ctx.tx.write(() => {
    const row = store.findCollectionByName(
      ctx.db,
      ns.databaseId(ctx.db, tenant, database),
      requireName(name, "name"),
    );
    if (!row)
      throw new NotFoundError("COLLECTION_NOT_FOUND", `Collection '${name}' does not exist.`, {
        details: { name },
      });
    store.deleteCollectionRows(ctx.db, row.id);
    return row.id;
  });
  forgetCollections(ctx, [id]);
}

/** Drops the in-memory indexes, cached models and snapshot folders of deleted collections. */
export function forgetCollections(ctx: EngineContext, ids: string[]): void {
  for (const id of ids) {
    ctx.indexes.drop(id);
    ctx.known.delete(id);
    const root = ctx.root;
    if (root) ctx.tx.guard(() => removeCollectionSnapshots(root, id));
  }
}
