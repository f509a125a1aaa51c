/**
 * @cairndb/postgres — Cairn's Client/Collection API on PostgreSQL with pgvector.
 *
 * @example
 * import { PostgresClient } from "@cairndb/postgres";
 * const client = new PostgresClient({ connectionString: process.env.DATABASE_URL });
 * const docs = await client.getOrCreateCollection({ name: "docs" });
 */
export { PostgresClient, type PostgresClientOptions } from "./client";
export type { PGliteLike, PoolClientLike, PoolLike } from "./driver";
