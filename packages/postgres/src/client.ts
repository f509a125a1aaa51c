/** `PostgresClient`: core's Client/Collection API with the data in PostgreSQL + pgvector. */
import { CairnClient, type ClientOptions, invalidArgument, rejectUnknownKeys } from "@cairndb/core";
import pg from "pg";
import { PostgresBackend } from "./backend";
import { type PGliteLike, type PoolLike, pgliteDriver, poolDriver, type SqlDriver } from "./driver";

/**
 * Options of `PostgresClient`: exactly one of `connectionString`, `pool` or `pglite`.
 * @example new PostgresClient({ connectionString: process.env.DATABASE_URL })
 */
export interface PostgresClientOptions extends ClientOptions {
  /** A PostgreSQL URL (`postgres://user:password@host:5432/db`); the client opens and owns a pool. */
  connectionString?: string;
  /** An existing node-postgres `Pool` (not ended by `close()`). */
  pool?: PoolLike;
  /** A PGlite instance with the `vector` and `pg_trgm` extensions loaded (not closed by `close()`). */
  pglite?: PGliteLike;
  /** Connections of the pool opened for `connectionString` (default 10). */
  maxConnections?: number;
  /** The PostgreSQL schema of Cairn's tables (default `cairn`); created on first use. */
  schema?: string;
  /** Statement timeout of reads and deletes with a `$regex` filter, in milliseconds (default 10 000). */
  regexTimeoutMs?: number;
  /**
   * Filtered queries whose filter matches at most this many records scan them exactly (default 10 000); larger
   * allowed sets are searched through the HNSW index with iterative scans.
   */
  exactThreshold?: number;
  /** Allow `reset()` (default false). */
  allowReset?: boolean;
}

const KEYS = [
  "connectionString",
  "pool",
  "pglite",
  "maxConnections",
  "schema",
  "regexTimeoutMs",
  "exactThreshold",
  "allowReset",
  "tenant",
  "database",
  "logger",
  "embeddingFunctions",
];

const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

function positiveInteger(value: unknown, path: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1)
    throw invalidArgument(path, `expected a positive integer, got ${JSON.stringify(value)}`);
  return value;
}

function driverOf(opts: PostgresClientOptions): SqlDriver {
  const given = (["connectionString", "pool", "pglite"] as const).filter((k) => opts[k] !== undefined);
  if (given.length !== 1)
    throw invalidArgument(
      "PostgresClient",
      given.length === 0
        ? "pass one of connectionString, pool or pglite"
        : `pass only one of connectionString, pool or pglite, got ${given.join(" and ")}`,
    );
  if (opts.pool) return poolDriver(opts.pool, false);
  if (opts.pglite) return pgliteDriver(opts.pglite, false);
  if (typeof opts.connectionString !== "string" || opts.connectionString.length === 0)
    throw invalidArgument(
      "connectionString",
      "expected a PostgreSQL URL such as postgres://user@host:5432/db",
    );
  const pool = new pg.Pool({
    connectionString: opts.connectionString,
    max: positiveInteger(opts.maxConnections, "maxConnections", 10),
  });
  // An idle connection that drops (server restart) must not crash the process; the next query reconnects.
  pool.on("error", () => undefined);
  return poolDriver(pool as unknown as PoolLike, true);
}

/**
 * A client whose collections live in PostgreSQL with pgvector: the same collections, verbs, results and error
 * codes as `PersistentClient`, for many processes and machines sharing one database. Tables and the schema
 * are created on first use.
 * @example
 * const client = new PostgresClient({ connectionString: process.env.DATABASE_URL });
 * const docs = await client.getOrCreateCollection({ name: "docs" });
 * await docs.add({ ids: ["a"], documents: ["hello"] });
 */
export class PostgresClient extends CairnClient {
  /** The PostgreSQL schema holding this client's tables. */
  readonly schema: string;

  constructor(options: PostgresClientOptions) {
    if (options === null || typeof options !== "object" || Array.isArray(options))
      throw invalidArgument("PostgresClient", "expected an options object such as { connectionString }");
    rejectUnknownKeys(options, KEYS, "PostgresClient");
    const opts = options;
    const schema = opts.schema ?? "cairn";
    if (typeof schema !== "string" || !SCHEMA_NAME.test(schema))
      throw invalidArgument(
        "schema",
        `expected a PostgreSQL identifier (letters, digits, _; at most 63 characters), got ${JSON.stringify(schema)}`,
      );
    const settings = {
      schema,
      regexTimeoutMs: positiveInteger(opts.regexTimeoutMs, "regexTimeoutMs", 10_000),
      exactThreshold: positiveInteger(opts.exactThreshold, "exactThreshold", 10_000),
    };
    super(new PostgresBackend(driverOf(opts), settings), opts, opts.allowReset === true);
    this.schema = schema;
  }
}
