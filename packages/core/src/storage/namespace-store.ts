/**
 * Tenants, databases and collections rows. Synchronous; called by the engine inside its transactions.
 */
import { type Db, ensureDefaultNamespace } from "./database";
import { stmt } from "./statements";
import { forgetSnapshots } from "./maintenance-store";

/** A collection row as stored. */
export interface CollectionRow {
  id: string;
  databaseId: string;
  name: string;
  /** JSON text or null. */
  metadata: string | null;
  /** JSON text of the CollectionConfig. */
  config: string;
  dimension: number | null;
  createdAt: number;
}

/** A database row. */
export interface DatabaseRow {
  id: string;
  tenant: string;
  name: string;
}

const COLLECTION_COLUMNS =
  "id, database_id AS databaseId, name, metadata, config, dimension, created_at AS createdAt";

/** Whether a tenant exists. */
export function tenantExists(db: Db, name: string): boolean {
  return stmt(db, "SELECT 1 FROM tenants WHERE name = ?").get(name) !== undefined;
}

/** Inserts a tenant; returns false when it exists. */
export function insertTenant(db: Db, name: string): boolean {
  return stmt(db, "INSERT OR IGNORE INTO tenants (name) VALUES (?)").run(name).changes === 1;
}

/** Finds a database by tenant and name. */
export function findDatabase(db: Db, tenant: string, name: string): DatabaseRow | undefined {
  return stmt(db, "SELECT id, tenant, name FROM databases WHERE tenant = ? AND name = ?").get(tenant, name) as
    | DatabaseRow
    | undefined;
}

/** Inserts a database; returns false when one of that name exists under the tenant. */
export function insertDatabase(db: Db, row: DatabaseRow): boolean {
  insertTenant(db, row.tenant);
  return (
    stmt(db, "INSERT OR IGNORE INTO databases (id, tenant, name) VALUES (?, ?, ?)").run(
      row.id,
      row.tenant,
      row.name,
    ).changes === 1
  );
}

/** Finds a database by id. */
export function databaseRowById(db: Db, id: string): DatabaseRow | undefined {
  return stmt(db, "SELECT id, tenant, name FROM databases WHERE id = ?").get(id) as DatabaseRow | undefined;
}

/** Lists a tenant's databases by name. */
export function listDatabases(db: Db, tenant: string, limit: number, offset: number): DatabaseRow[] {
  return stmt(
    db,
    "SELECT id, tenant, name FROM databases WHERE tenant = ? ORDER BY name LIMIT ? OFFSET ?",
  ).all(tenant, limit, offset) as DatabaseRow[];
}

/** Deletes a database row (its collections must be deleted first). */
export function deleteDatabaseRow(db: Db, id: string): void {
  stmt(db, "DELETE FROM databases WHERE id = ?").run(id);
}

/** Inserts a collection row; returns false when the name is taken in that database. */
export function insertCollection(db: Db, row: CollectionRow): boolean {
  return (
    stmt(
      db,

      "INSERT OR IGNORE INTO collections (id, database_id, name, metadata, config, dimension, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
    ).run(row.id, row.databaseId, row.name, row.metadata, row.config, row.dimension, row.createdAt)
      .changes === 1
  );
}

/** Finds a collection by database and name. */
export function findCollectionByName(db: Db, databaseId: string, name: string): CollectionRow | undefined {
  return stmt(db, `SELECT ${COLLECTION_COLUMNS} FROM collections WHERE database_id = ? AND name = ?`).get(
    databaseId,
    name,
  ) as CollectionRow | undefined;
}

/** Finds a collection by id. */
export function findCollectionById(db: Db, id: string): CollectionRow | undefined {
  return stmt(db, `SELECT ${COLLECTION_COLUMNS} FROM collections WHERE id = ?`).get(id) as
    | CollectionRow
    | undefined;
}

/** Lists the collections of a database in creation order. */
export function listCollectionRows(
  db: Db,
  databaseId: string,
  limit: number,
  offset: number,
): CollectionRow[] {
  return stmt(
    db,

    `SELECT ${COLLECTION_COLUMNS} FROM collections WHERE database_id = ? ORDER BY created_at, rowid LIMIT ? OFFSET ?`,
  ).all(databaseId, limit, offset) as CollectionRow[];
}

/** Ids of every collection of every database (for maintenance). */
export function allCollectionIds(db: Db): string[] {
  return stmt(db, "SELECT id FROM collections ORDER BY created_at, rowid").pluck().all() as string[];
}

/** Counts the collections of a database. */
export function countCollectionRows(db: Db, databaseId: string): number {
  return (
    stmt(db, "SELECT count(*) AS n FROM collections WHERE database_id = ?").get(databaseId) as { n: number }
  ).n;
}

/** Updates the mutable columns of a collection. */
export function updateCollectionRow(
  db: Db,
  id: string,
  changes: { name?: string; metadata?: string | null; config?: string; dimension?: number },
): void {
  const sets: string[] = [];
  const params: unknown[] = [];
  for (const [column, value] of Object.entries(changes)) {
    if (value === undefined) continue;
    sets.push(`${column} = ?`);
    params.push(value);
  }
  if (sets.length === 0) return;
  stmt(db, `UPDATE collections SET ${sets.join(", ")} WHERE id = ?`).run(...params, id);
}

/** Deletes a collection row and every record, metadata row, FTS row, tombstone and snapshot row it owns. */
export function deleteCollectionRows(db: Db, id: string): void {
  forgetSnapshots(db, id);
  stmt(db, "DELETE FROM records_fts WHERE rowid IN (SELECT label FROM records WHERE collection_id = ?)").run(
    id,
  );
  stmt(db, "DELETE FROM record_metadata WHERE collection_id = ?").run(id);
  stmt(db, "DELETE FROM records WHERE collection_id = ?").run(id);
  stmt(db, "DELETE FROM tombstones WHERE collection_id = ?").run(id);
  stmt(db, "DELETE FROM collections WHERE id = ?").run(id);
}

/** Deletes every row of every table, then recreates the default tenant and database (a client `reset`). */
export function deleteAllData(db: Db): void {
  db.exec(
    "DELETE FROM records_fts; DELETE FROM record_metadata; DELETE FROM records; DELETE FROM tombstones; " +
      "DELETE FROM index_snapshots; DELETE FROM leases; DELETE FROM collections; DELETE FROM databases; DELETE FROM tenants;",
  );
  ensureDefaultNamespace(db);
}
