/**
 * The PostgreSQL schema and its migrations, versioned in `<schema>.cairn_migrations`. Every migration runs in
 * one transaction under an advisory lock, so processes starting at once apply each one exactly once.
 *
 * Tables (all in one Postgres schema, `cairn` by default):
 * - `tenants`, `databases`, `collections`: the namespace. `collections.config` is the JSON text of the
 *   `CollectionConfig` (space, HNSW parameters, embedding-function identity), `metadata` the JSON text of the
 *   collection metadata (text, so key order round-trips); `dimension` is fixed by the first write; `seq`
 *   orders collections by creation.
 * - one records table per collection, `r_<collection id without dashes>`: `label` (insertion order), `id`
 *   (unique), `embedding vector(dimension)` with an HNSW index in the collection's space, `document` with a
 *   pg_trgm GIN index, `uri`, and `metadata jsonb` (never NULL: `{}` means none) with a GIN index.
 */
import { StorageError } from "@cairndb/core";
import type { Queryable } from "./driver";
import { quoteIdent } from "./sql";

/** The migrations, in order; entry `i` takes the schema to version `i + 1`. `$s` is the quoted schema. */
export const MIGRATIONS: readonly string[] = [
  // v1
  `
  CREATE TABLE $s.tenants (name text PRIMARY KEY);
  CREATE TABLE $s.databases (
    id text PRIMARY KEY,
    tenant text NOT NULL REFERENCES $s.tenants(name) ON DELETE CASCADE,
    name text NOT NULL,
    UNIQUE (tenant, name)
  );
  CREATE TABLE $s.collections (
    id text PRIMARY KEY,
    database_id text NOT NULL REFERENCES $s.databases(id) ON DELETE CASCADE,
    name text NOT NULL,
    metadata text,
    config text NOT NULL,
    dimension integer,
    seq bigserial NOT NULL,
    UNIQUE (database_id, name)
  );
  `,
];

/** The newest schema version this package writes. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/** The DDL of a new collection's records table (its HNSW index is created by the first write). */
export function recordsTableDdl(table: string, indexPrefix: string): string {
  return [
    `CREATE TABLE ${table} (
      label bigserial PRIMARY KEY,
      id text NOT NULL UNIQUE,
      embedding vector NOT NULL,
      document text,
      uri text,
      metadata jsonb NOT NULL DEFAULT '{}'
    )`,
    `CREATE INDEX ${quoteIdent(`${indexPrefix}_meta`)} ON ${table} USING gin (metadata)`,
    `CREATE INDEX ${quoteIdent(`${indexPrefix}_doc`)} ON ${table} USING gin (document gin_trgm_ops)`,
  ].join(";\n");
}

/** Runs the statements of a script one by one (PGlite and the extended protocol take one statement each). */
export async function runScript(db: Queryable, script: string): Promise<void> {
  for (const statement of script.split(";")) {
    if (statement.trim().length > 0) await db.query(statement);
  }
}

/**
 * Brings the schema up to {@link SCHEMA_VERSION}: creates the extensions, the schema, the migrations table and
 * the default tenant and database when missing. Call inside one transaction.
 * @returns the version found before migrating (0 for a new schema).
 * @throws StorageError `STORAGE_ERROR` when the database's schema is newer than this package (a downgrade).
 */
export async function migrate(db: Queryable, schema: string): Promise<number> {
  const s = quoteIdent(schema);
  // One lock id per schema name: two processes migrating the same schema queue up.
  await db.query("SELECT pg_advisory_xact_lock(hashtext($1))", [`cairn-migrate:${schema}`]);
  await db.query("CREATE EXTENSION IF NOT EXISTS vector");
  await db.query("CREATE EXTENSION IF NOT EXISTS pg_trgm");
  await db.query(`CREATE SCHEMA IF NOT EXISTS ${s}`);
  await db.query(
    `CREATE TABLE IF NOT EXISTS ${s}.cairn_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`,
  );
  const { rows } = await db.query<{ v: number | null }>(
    `SELECT max(version) AS v FROM ${s}.cairn_migrations`,
  );
  const found = rows[0]?.v ?? 0;
  if (found > SCHEMA_VERSION) {
    throw new StorageError(
      "STORAGE_ERROR",
      `schema '${schema}' is at version ${found}, newer than this @cairndb/postgres understands (${SCHEMA_VERSION}). Upgrade @cairndb/postgres.`,
      { details: { schema, version: found, supported: SCHEMA_VERSION } },
    );
  }
  for (let v = found; v < SCHEMA_VERSION; v++) {
    await runScript(db, MIGRATIONS[v]!.replaceAll("$s", s));
    await db.query(`INSERT INTO ${s}.cairn_migrations (version) VALUES ($1)`, [v + 1]);
  }
  return found;
}
