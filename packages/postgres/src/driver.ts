/**
 * The tiny query interface the backend is written against, and its two implementations: a node-postgres
 * `Pool` (a real server, many connections) and a PGlite instance (Postgres in WASM, one connection, used by the
 * test suites without a server). Every statement the backend runs goes through `query` or `transaction`.
 */

/** Rows of a statement. */
export interface QueryResult<Row> {
  rows: Row[];
  /** Rows inserted, updated or deleted (null when the driver does not say). */
  rowCount: number | null;
}

/** Something that runs one parameterised statement. */
export interface Queryable {
  query<Row = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<QueryResult<Row>>;
}

/** A connection source: single statements, transactions, and shutdown. */
export interface SqlDriver extends Queryable {
  /**
   * Runs `fn` inside `BEGIN … COMMIT` on one connection; a thrown error rolls back and is rethrown. `readOnly`
   * opens a `REPEATABLE READ READ ONLY` transaction (one snapshot for every statement of a read).
   */
  transaction<T>(fn: (tx: Queryable) => Promise<T>, options?: { readOnly?: boolean }): Promise<T>;
  /** Releases the connections this driver opened (a pool passed in by the caller is left open). */
  close(): Promise<void>;
}

/** The part of a node-postgres `PoolClient` the driver uses. */
export interface PoolClientLike {
  query(sql: string, params?: unknown[]): Promise<{ rows: unknown[]; rowCount: number | null }>;
  release(error?: Error | boolean): void;
}

/**
 * The part of a node-postgres `Pool` the driver uses (`new pg.Pool(...)` satisfies it).
 * @example new PostgresClient({ pool: new pg.Pool({ connectionString, max: 20 }) })
 */
export interface PoolLike {
  query(sql: string, params?: unknown[]): Promise<{ rows: unknown[]; rowCount: number | null }>;
  connect(): Promise<PoolClientLike>;
  end(): Promise<void>;
}

/**
 * The part of a PGlite instance the driver uses (`await PGlite.create({ extensions: { vector, pg_trgm } })`
 * satisfies it).
 */
export interface PGliteLike {
  query(sql: string, params?: unknown[]): Promise<{ rows: unknown[]; affectedRows?: number }>;
  close(): Promise<void>;
}

const BEGIN_READ = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";

/** A driver over a node-postgres pool; `owned` pools are ended by `close`. */
export function poolDriver(pool: PoolLike, owned: boolean): SqlDriver {
  return {
    query: async <Row>(sql: string, params?: unknown[]) =>
      (await pool.query(sql, params)) as QueryResult<Row>,
    async transaction<T>(fn: (tx: Queryable) => Promise<T>, options: { readOnly?: boolean } = {}) {
      const client = await pool.connect();
      const tx: Queryable = {
        query: async <Row>(sql: string, params?: unknown[]) =>
          (await client.query(sql, params)) as QueryResult<Row>,
      };
      let broken: Error | undefined;
      try {
        await client.query(options.readOnly ? BEGIN_READ : "BEGIN");
        const result = await fn(tx);
        await client.query("COMMIT");
        return result;
      } catch (error) {
        try {
          await client.query("ROLLBACK");
        } catch (rollback) {
          // The connection is unusable (e.g. the server went away): drop it from the pool.
          broken = rollback as Error;
        }
        throw error;
      } finally {
        client.release(broken ?? false);
      }
    },
    async close() {
      if (owned) await pool.end();
    },
  };
}

const queues = new WeakMap<PGliteLike, Promise<unknown>>();

/**
 * A driver over PGlite. PGlite is one connection, so statements and transactions are queued here and run one
 * at a time: a transaction never interleaves with another caller's statements.
 */
export function pgliteDriver(db: PGliteLike, owned: boolean): SqlDriver {
  // One queue per PGlite instance, shared by every client opened on it.
  const exclusive = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = (queues.get(db) ?? Promise.resolve()).then(fn, fn);
    queues.set(
      db,
      run.catch(() => undefined),
    );
    return run;
  };
  const raw: Queryable = {
    async query<Row>(sql: string, params?: unknown[]) {
      const r = await db.query(sql, params);
      return { rows: r.rows as Row[], rowCount: r.affectedRows ?? null };
    },
  };
  return {
    query: (sql, params) => exclusive(() => raw.query(sql, params)),
    transaction: (fn, options = {}) =>
      exclusive(async () => {
        await raw.query(options.readOnly ? BEGIN_READ : "BEGIN");
        try {
          const result = await fn(raw);
          await raw.query("COMMIT");
          return result;
        } catch (error) {
          await raw.query("ROLLBACK");
          throw error;
        }
      }),
    async close() {
      if (owned) await exclusive(() => db.close());
    },
  };
}
