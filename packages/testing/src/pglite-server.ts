/**
 * A PostgreSQL server with no installation: PGlite (Postgres compiled to WASM, with the `vector` and `pg_trgm`
 * extensions it bundles) served on a loopback TCP port through `@electric-sql/pglite-socket`, so `pg` and every
 * other driver speak the real wire protocol to it. This is what `npm test` runs the Postgres suites on when no
 * real server is named by `CAIRN_TEST_POSTGRES_URL`.
 *
 * PGlite is one session: the socket server queues statements from all connections and, while one connection is in
 * a transaction, runs only that connection's statements. Transactions are therefore serialised (stronger than any
 * isolation level), and a test that needs real concurrency between sessions needs the real server.
 */
import { PGlite } from "@electric-sql/pglite";
import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm";
import { vector } from "@electric-sql/pglite/vector";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";

/** A running PGlite socket server. */
export interface PgliteServer {
  /** A `postgres://` URL for `pg` (`new pg.Pool({ connectionString: url })`) or `PostgresClient`. */
  readonly url: string;
  /** The TCP port on 127.0.0.1. */
  readonly port: number;
  /** The PGlite instance behind the socket, for direct inspection in tests. */
  readonly db: PGlite;
  /** Stops listening, closes every connection and closes the database. */
  stop(): Promise<void>;
}

/** Options of {@link startPgliteServer}. */
export interface PgliteServerOptions {
  /** A data directory to persist to (default: in memory). */
  dataDir?: string;
  /** The most client connections at once (default 32). */
  maxConnections?: number;
}

/** Starts PGlite with `vector` and `pg_trgm` behind a socket server on an ephemeral loopback port. */
export async function startPgliteServer(options: PgliteServerOptions = {}): Promise<PgliteServer> {
  const db = await PGlite.create({ dataDir: options.dataDir, extensions: { vector, pg_trgm } });
  const server = new PGLiteSocketServer({
    db,
    host: "127.0.0.1",
    port: 0,
    maxConnections: options.maxConnections ?? 32,
  });
  await server.start();
  const port = Number(server.getServerConn().split(":").pop());
  let stopped: Promise<void> | undefined;
  return {
    url: `postgres://postgres:postgres@127.0.0.1:${port}/postgres?sslmode=disable`,
    port,
    db,
    stop() {
      stopped ??= (async () => {
        await server.stop();
        await db.close();
      })();
      return stopped;
    },
  };
}
