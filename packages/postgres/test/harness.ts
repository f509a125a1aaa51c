/**
 * Test databases: one PGlite instance per test file (Postgres in WASM, no server), or the real server named by
 * `CAIRN_TEST_POSTGRES_URL`. Every client gets a fresh schema, dropped by its cleanup.
 */
import { PGlite } from "@electric-sql/pglite";
import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm";
import { vector } from "@electric-sql/pglite/vector";
import pg from "pg";
import { PostgresClient, type PostgresClientOptions } from "../src";

/** The real server's URL, when the environment names one. */
export const SERVER_URL = process.env.CAIRN_TEST_POSTGRES_URL;

let pglite: Promise<PGlite> | undefined;

/** The PGlite instance shared by one test file. */
export function sharedPglite(): Promise<PGlite> {
  pglite ??= PGlite.create({ extensions: { vector, pg_trgm } });
  return pglite;
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
  if (target === "pglite") {
    const db = await sharedPglite();
    const make = () => new PostgresClient({ ...options, pglite: db, schema });
    const client = make();
    return {
      client,
      schema,
      reopen: async () => make(),
      cleanup: async () => {
        await client.close();
        await db.exec(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      },
    };
  }
  const opened: PostgresClient[] = [];
  const make = () => {
    const c = new PostgresClient({ ...options, connectionString: SERVER_URL!, schema, maxConnections: 4 });
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
      const admin = new pg.Client({ connectionString: SERVER_URL });
      await admin.connect();
      await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await admin.end();
    },
  };
}
