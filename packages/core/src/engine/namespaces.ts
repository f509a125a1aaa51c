/**
 * Tenants, databases and collection descriptions as the engine reads and writes them. Synchronous; call
 * inside the engine's transactions. Names coming from callers are checked (`requireName`) before SQL sees them.
 */
import { randomUUID } from "node:crypto";
import type { CollectionConfig } from "../config";
import { ConflictError, NotFoundError } from "../errors";
import * as store from "../storage";
import type { CollectionMetadata } from "../types";
import { requireName } from "./arguments";
import type { CollectionInfo } from "./index-manager";

/** A collection as the engine describes it. */
export interface CollectionModel extends CollectionInfo {
  tenant: string;
  database: string;
  metadata: CollectionMetadata | null;
}

/** A database (namespace) row. */
export interface DatabaseModel {
  id: string;
  tenant: string;
  name: string;
}

/** The id of a database, or a DATABASE_NOT_FOUND error. */
export function databaseId(db: store.Db, tenant: unknown, database: unknown): string {
  const row = store.findDatabase(db, requireName(tenant, "tenant"), requireName(database, "database"));
  if (!row) {
    throw new NotFoundError(
      "DATABASE_NOT_FOUND",
      `Database '${database}' of tenant '${tenant}' does not exist. Create it first.`,
      {
        details: { tenant, database },
      },
    );
  }
  return row.id;
}

/** The id of a database, or undefined when it does not exist. */
export function findDatabaseId(db: store.Db, tenant: unknown, database: unknown): string | undefined {
  return store.findDatabase(db, requireName(tenant, "tenant"), requireName(database, "database"))?.id;
}

/** A collection row as a model. */
export function toModel(row: store.CollectionRow, tenant: string, database: string): CollectionModel {
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

/** A collection by id, or COLLECTION_NOT_FOUND. */
export function requireCollection(db: store.Db, id: unknown): CollectionModel {
  const row = store.findCollectionById(db, requireName(id, "id"));
  if (!row) {
    throw new NotFoundError("COLLECTION_NOT_FOUND", `Collection ${id} does not exist (it was deleted).`, {
      details: { id },
    });
  }
  const ns = store.databaseRowById(db, row.databaseId);
  return toModel(row, ns?.tenant ?? "", ns?.name ?? "");
}

/** Creates a tenant, or TENANT_EXISTS. */
export function createTenant(db: store.Db, name: unknown): void {
  if (!store.insertTenant(db, requireName(name, "name"))) {
    throw new ConflictError("TENANT_EXISTS", `Tenant '${name}' already exists.`, { details: { name } });
  }
}

/** Creates a database under a tenant (creating the tenant if needed, as Chroma does), or DATABASE_EXISTS. */
export function createDatabase(db: store.Db, tenant: unknown, name: unknown): DatabaseModel {
  const row = { id: randomUUID(), tenant: requireName(tenant, "tenant"), name: requireName(name, "name") };
  if (!store.insertDatabase(db, row)) {
    throw new ConflictError("DATABASE_EXISTS", `Database '${name}' already exists in tenant '${tenant}'.`, {
      details: { tenant, name },
    });
  }
  return row;
}

/** The JSON text stored for collection metadata (null for none or `{}`). */
export const metadataText = (metadata: CollectionMetadata | null | undefined): string | null =>
  metadata && Object.keys(metadata).length > 0 ? JSON.stringify(metadata) : null;

/** A new collection row. */
export function newCollectionRow(
  databaseId: string,
  name: string,
  metadata: CollectionMetadata | null,
  config: CollectionConfig,
): store.CollectionRow {
  return {
    id: randomUUID(),
    databaseId,
    name,
    metadata: metadataText(metadata),
    config: JSON.stringify(config),
    dimension: null,
    createdAt: Date.now(),
  };
}
