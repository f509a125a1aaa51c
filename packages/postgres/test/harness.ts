/**
 * Test databases: one PGlite socket server per test file (Postgres in WASM, no installation, reached by `pg`
 * over the real wire protocol), or the real server named by `CAIRN_TEST_POSTGRES_URL`. Every client gets a fresh
 * schema, dropped by its cleanup.
 */
import { type PgliteServer, startPgliteServer } from "@cairndb/testing";
import pg from "pg";
import { PostgresClient, type PostgresClientOptions } from "../src";

/** The real server's URL, when the environment names one. */
export const SERVER_URL = process.env.CAIRN_TEST_POSTGRES_URL;

let pglite: Promise<PgliteServer> | undefined;

/**
 * The PGlite socket server shared by one test file. Clients of it use one connection: PGlite is a single
 * session, and its socket server (0.0.x) stalls when two connections interleave transactions.
 */
export function sharedPglite(): Promise<PgliteServer> {
  pglite ??= startPgliteServer();
  return pglite;
}

/** Stops the file's PGlite server (call from `afterAll`; a no-op when none was started). */
export async function stopSharedPglite(): Promise<void> {
  const started = pglite;
  pglite = undefined;
  if (started) await (await started).stop();
}

/** The connection string of the target, and the pool size a client of it may use. */
export async function targetUrl(
  target: "pglite" | "server",
): Promise<{ url: string; maxConnections: number }> {
  if (target === "server") return { url: SERVER_URL!, maxConnections: 4 };
  return { url: (await sharedPglite()).url, maxConnections: 1 };
}

let counter = 0;
/** A schema name unique to this process and test. */
export const freshSchema = (): string => `t_${process.pid}_${Date.now().toString(36)}_${counter++}`;

/** Opens a client on a fresh schema of PGlite or of the server; `cleanup` drops the schema. */
export async function openClient(
  target: "pglite" | "server",
  options: Omit<PostgresClientOptions, "connectionString" | "pool" | "pglite"> = {},
): Promise<{
  client: PostgresClient;
  schema: string;
  reopen: () => Promise<PostgresClient>;
  cleanup: () => Promise<void>;
}> {
  const schema = freshSchema();
  const { url, maxConnections } = await targetUrl(target);
  const opened: PostgresClient[] = [];
  const make = () => {
    const c = new PostgresClient({ ...options, connectionString: url, schema, maxConnections });
    opened.push(c);
    return c;
  };
  const client = make();
  return {
    client,
    schema,
    reopen: async () => make(),
    cleanup: async () => {
      for (const c of opened) await c.close();
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await admin.end();
    },
  };
}
