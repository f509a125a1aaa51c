/**
 * Tenants, databases and collection rows in PostgreSQL, with the same errors (codes and messages) as the
 * embedded engine. Functions take a `Queryable` so callers decide the transaction.
 */
import { randomUUID } from "node:crypto";
import {
  type CollectionConfig,
  type CollectionDescription,
  type CollectionMetadata,
  ConflictError,
  type DatabaseDescription,
  NotFoundError,
} from "@cairndb/core";
import type { Queryable } from "./driver";
import { quoteIdent } from "./sql";

/** A collection row joined with its namespace. */
export interface CollectionRow {
  id: string;
  name: string;
  tenant: string;
  database: string;
  metadata: string | null;
  config: string;
  dimension: number | null;
}

/** Table names of one Postgres schema. */
export class Tables {
  readonly s: string;
  constructor(readonly schema: string) {
    this.s = quoteIdent(schema);
  }
  get tenants(): string {
    return `${this.s}.tenants`;
  }
  get databases(): string {
    return `${this.s}.databases`;
  }
  get collections(): string {
    return `${this.s}.collections`;
  }
  /** The records table of a collection (ids are UUIDs generated here, so the name is always safe). */
  records(collectionId: string): string {
    return `${this.s}.${quoteIdent(this.recordsName(collectionId))}`;
  }
  /** The unquoted name of a collection's records table (also the prefix of its index names). */
  recordsName(collectionId: string): string {
    return `r_${collectionId.replaceAll("-", "")}`;
  }
}

/** The description a backend returns for a row. */
export function describeRow(row: CollectionRow): CollectionDescription {
  return {
    id: row.id,
    name: row.name,
    tenant: row.tenant,
    database: row.database,
    metadata: row.metadata ? (JSON.parse(row.metadata) as CollectionMetadata) : null,
    configuration: JSON.parse(row.config) as CollectionConfig,
    dimension: row.dimension,
  };
}

/** The stored text of collection metadata (null for none or `{}`). */
export const metadataText = (metadata: CollectionMetadata | null | undefined): string | null =>
  metadata && Object.keys(metadata).length > 0 ? JSON.stringify(metadata) : null;

const COLUMNS = "c.id, c.name, d.tenant, d.name AS database, c.metadata, c.config, c.dimension";

/** SELECT of collection rows with their namespace; append a WHERE clause. */
export const selectCollections = (t: Tables): string =>
  `SELECT ${COLUMNS} FROM ${t.collections} c JOIN ${t.databases} d ON d.id = c.database_id`;

/** Creates the default tenant and database when missing. */
export async function ensureDefaultNamespace(db: Queryable, t: Tables): Promise<void> {
  await db.query(`INSERT INTO ${t.tenants} (name) VALUES ('default_tenant') ON CONFLICT DO NOTHING`);
  await db.query(
    `INSERT INTO ${t.databases} (id, tenant, name) VALUES ($1, 'default_tenant', 'default_database') ON CONFLICT DO NOTHING`,
    [randomUUID()],
  );
}

/** The id of a database, or undefined. */
export async function findDatabaseId(
  db: Queryable,
  t: Tables,
  tenant: string,
  database: string,
): Promise<string | undefined> {
  const { rows } = await db.query<{ id: string }>(
    `SELECT id FROM ${t.databases} WHERE tenant = $1 AND name = $2`,
    [tenant, database],
  );
  return rows[0]?.id;
}

/** The id of a database, or DATABASE_NOT_FOUND. */
export async function requireDatabaseId(
  db: Queryable,
  t: Tables,
  tenant: string,
  database: string,
): Promise<string> {
  const id = await findDatabaseId(db, t, tenant, database);
  if (id === undefined) {
    throw new NotFoundError(
      "DATABASE_NOT_FOUND",
      `Database '${database}' of tenant '${tenant}' does not exist. Create it first.`,
      { details: { tenant, database } },
    );
  }
  return id;
}

/** A collection by id (optionally locking its row until the transaction ends), or COLLECTION_NOT_FOUND. */
export async function requireCollection(
  db: Queryable,
  t: Tables,
  id: string,
  lock = false,
): Promise<CollectionRow> {
  const { rows } = await db.query<CollectionRow>(
    `${selectCollections(t)} WHERE c.id = $1${lock ? " FOR UPDATE OF c" : ""}`,
    [id],
  );
  const row = rows[0];
  if (!row) {
    throw new NotFoundError("COLLECTION_NOT_FOUND", `Collection ${id} does not exist (it was deleted).`, {
      details: { id },
    });
  }
  return row;
}

/** A collection by name, or undefined. */
export async function findCollectionByName(
  db: Queryable,
  t: Tables,
  databaseId: string,
  name: string,
): Promise<CollectionRow | undefined> {
  const { rows } = await db.query<CollectionRow>(
    `${selectCollections(t)} WHERE c.database_id = $1 AND c.name = $2`,
    [databaseId, name],
  );
  return rows[0];
}

/** Creates a tenant, or TENANT_EXISTS. */
export async function createTenant(db: Queryable, t: Tables, name: string): Promise<void> {
  const r = await db.query(`INSERT INTO ${t.tenants} (name) VALUES ($1) ON CONFLICT DO NOTHING`, [name]);
  if (r.rowCount === 0)
    throw new ConflictError("TENANT_EXISTS", `Tenant '${name}' already exists.`, { details: { name } });
}

/** Creates a database under a tenant (creating the tenant if needed, as Chroma does), or DATABASE_EXISTS. */
export async function createDatabase(
  db: Queryable,
  t: Tables,
  tenant: string,
  name: string,
): Promise<DatabaseDescription> {
  await db.query(`INSERT INTO ${t.tenants} (name) VALUES ($1) ON CONFLICT DO NOTHING`, [tenant]);
  const id = randomUUID();
  const r = await db.query(
    `INSERT INTO ${t.databases} (id, tenant, name) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
    [id, tenant, name],
  );
  if (r.rowCount === 0) {
    throw new ConflictError("DATABASE_EXISTS", `Database '${name}' already exists in tenant '${tenant}'.`, {
      details: { tenant, name },
    });
  }
  return { id, tenant, name };
}
