/**
 * `ClientBackend` over PostgreSQL + pgvector: what `PostgresClient` plugs into core's Client/Collection API.
 * Each verb is one statement or one transaction; every error leaves here as a CairnError.
 */
import {
  applyConfigUpdate,
  CAIRN_VERSION,
  type ClientBackend,
  type CollectionDescription,
  ConflictError,
  createError,
  type DatabaseDescription,
  type IncludeField,
  NotFoundError,
  type WritePolicy,
} from "@cairndb/core";
import { randomUUID } from "node:crypto";
import type { Queryable, SqlDriver } from "./driver";
import { isUniqueViolation, toCairnError } from "./errors";
import * as ns from "./namespace";
import {
  deleteRecords,
  duplicateIds,
  getRecords,
  type QueryTuning,
  queryRecords,
  type Selection,
  selectionUsesRegex,
  type WriteBatch,
  writeRecords,
} from "./records";
import { migrate, recordsTableDdl } from "./schema";

/** Settings of the backend. */
export interface BackendSettings {
  /** The Postgres schema holding Cairn's tables. */
  schema: string;
  /** Statement timeout of reads with a `$regex` filter, in milliseconds. */
  regexTimeoutMs: number;
  /** Filtered queries matching at most this many records are exact scans. */
  exactThreshold: number;
}

/** A ClientBackend over a SQL driver (a node-postgres pool or PGlite). */
export class PostgresBackend implements ClientBackend {
  private readonly t: ns.Tables;
  private ready: Promise<QueryTuning> | undefined;
  private closed = false;

  constructor(
    private readonly db: SqlDriver,
    private readonly settings: BackendSettings,
  ) {
    this.t = new ns.Tables(settings.schema);
  }

  /** Migrates the schema once (first call), then resolves the query tuning. */
  private init(): Promise<QueryTuning> {
    if (this.closed)
      return Promise.reject(
        createError("CLIENT_CLOSED", "The client is closed; create a new PostgresClient."),
      );
    this.ready ??= (async () => {
      await this.db.transaction(async (tx) => {
        await migrate(tx, this.settings.schema);
        await ns.ensureDefaultNamespace(tx, this.t);
      });
      const { rows } = await this.db.query<{ v: string }>(
        "SELECT extversion AS v FROM pg_extension WHERE extname = 'vector'",
      );
      const [major = 0, minor = 0] = (rows[0]?.v ?? "0.0").split(".").map(Number);
      return { exactThreshold: this.settings.exactThreshold, iterativeScan: major > 0 || minor >= 8 };
    })().catch((error) => {
      this.ready = undefined; // a later call retries (e.g. the server was not up yet)
      throw toCairnError(error, "open the PostgreSQL database");
    });
    return this.ready;
  }

  /** Runs `fn` after initialisation, mapping any error. */
  private async run<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    await this.init();
    try {
      return await fn();
    } catch (error) {
      throw toCairnError(error, operation);
    }
  }

  private tx<T>(operation: string, fn: (tx: Queryable) => Promise<T>, readOnly = false): Promise<T> {
    return this.run(operation, () => this.db.transaction(fn, { readOnly }));
  }

  async heartbeat(): Promise<number> {
    return this.run("heartbeat", async () => {
      const { rows } = await this.db.query<{ t: string }>(
        "SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint AS t",
      );
      return Number(rows[0]?.t ?? Date.now()) * 1_000_000;
    });
  }

  async version(): Promise<string> {
    return CAIRN_VERSION;
  }

  async createCollection(input: Parameters<ClientBackend["createCollection"]>[0]) {
    return this.tx(`create collection '${input.name}'`, async (db) => {
      const databaseId = await ns.requireDatabaseId(db, this.t, input.tenant, input.database);
      const id = randomUUID();
      const inserted = await db.query(
        `INSERT INTO ${this.t.collections} (id, database_id, name, metadata, config) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (database_id, name) DO NOTHING`,
        [id, databaseId, input.name, ns.metadataText(input.metadata), JSON.stringify(input.configuration)],
      );
      if (inserted.rowCount === 0) {
        if (!input.getOrCreate) {
          throw new ConflictError(
            "COLLECTION_EXISTS",
            `Collection '${input.name}' already exists. Use getOrCreateCollection() or getCollection().`,
            { details: { name: input.name } },
          );
        }
        const existing = await ns.findCollectionByName(db, this.t, databaseId, input.name);
        return { collection: ns.describeRow(existing!), created: false };
      }
      for (const statement of recordsTableDdl(this.t.records(id), this.t.recordsName(id)).split(";\n"))
        await db.query(statement);
      return { collection: ns.describeRow(await ns.requireCollection(db, this.t, id)), created: true };
    });
  }

  async getCollection(tenant: string, database: string, name: string) {
    return this.run(`get collection '${name}'`, async () => {
      const databaseId = await ns.requireDatabaseId(this.db, this.t, tenant, database);
      const row = await ns.findCollectionByName(this.db, this.t, databaseId, name);
      if (!row) {
        throw new NotFoundError(
          "COLLECTION_NOT_FOUND",
          `Collection '${name}' does not exist. Create it with createCollection().`,
          { details: { name } },
        );
      }
      return ns.describeRow(row);
    });
  }

  async getCollectionById(id: string) {
    return this.describe(id);
  }

  async describe(id: string): Promise<CollectionDescription> {
    return this.run(`get collection ${id}`, async () =>
      ns.describeRow(await ns.requireCollection(this.db, this.t, id)),
    );
  }

  async listCollections(tenant: string, database: string, limit: number, offset: number) {
    return this.run("list collections", async () => {
      const { rows } = await this.db.query<ns.CollectionRow>(
        `${ns.selectCollections(this.t)} WHERE d.tenant = $1 AND d.name = $2 ORDER BY c.seq LIMIT $3 OFFSET $4`,
        [tenant, database, limit, offset],
      );
      return rows.map(ns.describeRow);
    });
  }

  async countCollections(tenant: string, database: string) {
    return this.run("count collections", async () => {
      const { rows } = await this.db.query<{ n: string }>(
        `SELECT count(*) AS n FROM ${this.t.collections} c JOIN ${this.t.databases} d ON d.id = c.database_id WHERE d.tenant = $1 AND d.name = $2`,
        [tenant, database],
      );
      return Number(rows[0]?.n ?? 0);
    });
  }

  async deleteCollection(tenant: string, database: string, name: string) {
    await this.tx(`delete collection '${name}'`, async (db) => {
      const databaseId = await ns.requireDatabaseId(db, this.t, tenant, database);
      const { rows } = await db.query<{ id: string }>(
        `DELETE FROM ${this.t.collections} WHERE database_id = $1 AND name = $2 RETURNING id`,
        [databaseId, name],
      );
      if (!rows[0])
        throw new NotFoundError("COLLECTION_NOT_FOUND", `Collection '${name}' does not exist.`, {
          details: { name },
        });
      await db.query(`DROP TABLE IF EXISTS ${this.t.records(rows[0].id)}`);
    });
  }

  async createTenant(name: string) {
    await this.run(`create tenant '${name}'`, () => ns.createTenant(this.db, this.t, name));
  }

  async getTenant(name: string) {
    return this.run(`get tenant '${name}'`, async () => {
      const { rows } = await this.db.query(`SELECT 1 FROM ${this.t.tenants} WHERE name = $1`, [name]);
      if (rows.length === 0)
        throw new NotFoundError("TENANT_NOT_FOUND", `Tenant '${name}' does not exist.`, {
          details: { name },
        });
      return { name };
    });
  }

  async createDatabase(tenant: string, name: string): Promise<DatabaseDescription> {
    return this.tx(`create database '${name}'`, (db) => ns.createDatabase(db, this.t, tenant, name));
  }

  async getDatabase(tenant: string, name: string): Promise<DatabaseDescription> {
    return this.run(`get database '${name}'`, async () => ({
      id: await ns.requireDatabaseId(this.db, this.t, tenant, name),
      tenant,
      name,
    }));
  }

  async listDatabases(tenant: string, limit: number, offset: number): Promise<DatabaseDescription[]> {
    return this.run("list databases", async () => {
      const { rows } = await this.db.query<DatabaseDescription>(
        `SELECT id, tenant, name FROM ${this.t.databases} WHERE tenant = $1 ORDER BY name LIMIT $2 OFFSET $3`,
        [tenant, limit, offset],
      );
      return rows;
    });
  }

  async deleteDatabase(tenant: string, name: string) {
    await this.tx(`delete database '${name}'`, async (db) => {
      const databaseId = await ns.requireDatabaseId(db, this.t, tenant, name);
      const { rows } = await db.query<{ id: string }>(
        `DELETE FROM ${this.t.collections} WHERE database_id = $1 RETURNING id`,
        [databaseId],
      );
      for (const row of rows) await db.query(`DROP TABLE IF EXISTS ${this.t.records(row.id)}`);
      await db.query(`DELETE FROM ${this.t.databases} WHERE id = $1`, [databaseId]);
    });
  }

  async reset() {
    await this.tx("reset", async (db) => {
      const { rows } = await db.query<{ id: string }>(`DELETE FROM ${this.t.collections} RETURNING id`);
      for (const row of rows) await db.query(`DROP TABLE IF EXISTS ${this.t.records(row.id)}`);
      await db.query(`DELETE FROM ${this.t.databases}`);
      await db.query(`DELETE FROM ${this.t.tenants}`);
      await ns.ensureDefaultNamespace(db, this.t);
    });
  }

  async close() {
    if (this.closed) return;
    this.closed = true;
    await this.db.close();
  }

  async write(
    collectionId: string,
    mode: "add" | "upsert" | "update",
    batch: WriteBatch,
    policy: WritePolicy,
  ) {
    let name = collectionId;
    await this.tx(`${mode} in collection ${collectionId}`, async (db) => {
      const row = await ns.requireCollection(db, this.t, collectionId, true);
      name = row.name;
      try {
        await writeRecords(db, this.t, row, mode, batch, policy);
      } catch (error) {
        // The collection lock makes the existence check race-free; this is the last line of defence.
        if (isUniqueViolation(error)) throw duplicateIds(name, []);
        throw error;
      }
    });
  }

  async get(
    collectionId: string,
    selection: Selection,
    page: { limit?: number | undefined; offset?: number | undefined },
    include: IncludeField[],
  ) {
    return this.read(`get from collection ${collectionId}`, selection, async (db) => {
      const row = await ns.requireCollection(db, this.t, collectionId);
      return getRecords(db, this.t, row, selection, page, include);
    });
  }

  async query(
    collectionId: string,
    vectors: Float32Array[],
    k: number,
    selection: Selection,
    include: IncludeField[],
  ) {
    const tuning = await this.init();
    return this.read(`query collection ${collectionId}`, selection, async (db) => {
      const row = await ns.requireCollection(db, this.t, collectionId);
      return queryRecords(db, this.t, row, vectors, k, selection, include, tuning);
    });
  }

  /** A read in one snapshot; with a `$regex` filter under the statement timeout. */
  private read<T>(operation: string, selection: Selection, fn: (db: Queryable) => Promise<T>): Promise<T> {
    return this.tx(
      operation,
      async (db) => {
        if (selectionUsesRegex(selection))
          await db.query(`SET LOCAL statement_timeout = ${Math.max(1, this.settings.regexTimeoutMs | 0)}`);
        return fn(db);
      },
      true,
    );
  }

  async delete(collectionId: string, selection: Selection, limit: number | undefined) {
    return this.tx(`delete from collection ${collectionId}`, async (db) => {
      const row = await ns.requireCollection(db, this.t, collectionId, true);
      if (selectionUsesRegex(selection))
        await db.query(`SET LOCAL statement_timeout = ${Math.max(1, this.settings.regexTimeoutMs | 0)}`);
      return deleteRecords(db, this.t, row, selection, limit);
    });
  }

  async count(collectionId: string) {
    return this.tx(
      `count collection ${collectionId}`,
      async (db) => {
        const row = await ns.requireCollection(db, this.t, collectionId);
        const { rows } = await db.query<{ n: string }>(`SELECT count(*) AS n FROM ${this.t.records(row.id)}`);
        return Number(rows[0]?.n ?? 0);
      },
      true,
    );
  }

  async modify(collectionId: string, changes: Parameters<ClientBackend["modify"]>[1]) {
    return this.tx(`modify collection ${collectionId}`, async (db) => {
      const current = ns.describeRow(await ns.requireCollection(db, this.t, collectionId, true));
      const config =
        changes.configuration === undefined
          ? undefined
          : applyConfigUpdate(current.configuration, changes.configuration);
      const name = changes.name ?? current.name;
      if (name !== current.name) {
        const databaseId = await ns.requireDatabaseId(db, this.t, current.tenant, current.database);
        if (await ns.findCollectionByName(db, this.t, databaseId, name)) {
          throw new ConflictError(
            "COLLECTION_EXISTS",
            `Cannot rename '${current.name}' to '${name}': that name is taken.`,
            { details: { name } },
          );
        }
      }
      await db.query(
        `UPDATE ${this.t.collections} SET name = $2, metadata = CASE WHEN $3::boolean THEN $4 ELSE metadata END, config = COALESCE($5, config) WHERE id = $1`,
        [
          collectionId,
          name,
          changes.metadata !== undefined,
          changes.metadata === undefined ? null : ns.metadataText(changes.metadata),
          config ? JSON.stringify(config) : null,
        ],
      );
      return ns.describeRow(await ns.requireCollection(db, this.t, collectionId));
    });
  }
}
