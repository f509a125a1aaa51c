/** Cairn embedded: PersistentClient, cosine space, every other setting at its default. */
import { PersistentClient } from "@cairndb/core";
import { freshWhere } from "../data/filters.mjs";
import { indexOfId } from "../data/records.mjs";
import { join } from "node:path";
import { ioOf, largestFileBytes, ownPeakRss } from "../metrics/proc.mjs";

export const kind = "embedded";

/** Include of every query: what an application reads (the API's default). */
export const QUERY_INCLUDE = ["documents", "metadatas", "distances"];

/** Bytes of the vector index on disk: the HNSW file of the current snapshot (older ones are kept a while). */
export const indexBytes = (dir) => largestFileBytes(join(dir, "index"), /\.bin$/);

/** Opens the collection `bench` in `ctx.dir` (created when `ctx.fresh`). */
export async function open(ctx) {
  const client = new PersistentClient({ path: ctx.dir });
  const collection = ctx.fresh
    ? await client.createCollection({
        name: "bench",
        embeddingFunction: null,
        configuration: { hnsw: { space: "cosine" } },
      })
    : await client.getCollection({ name: "bench", embeddingFunction: null });
  return collectionHandle(collection, async () => {
    await client.close();
    return ioOf();
  });
}

/**
 * A driver handle over a Collection-like object (Cairn's embedded and HTTP collections share the API).
 * @param {() => Promise<object | null>} close
 */
export function collectionHandle(collection, close, dataPid = () => process.pid, peakRss = ownPeakRss) {
  let queries = 0;
  return {
    async ingest(batch) {
      await collection.add({
        ids: batch.ids,
        embeddings: batch.vectors,
        metadatas: batch.metadatas,
        documents: batch.documents,
      });
    },
    // Every add() is committed to SQLite before it resolves: nothing left to make durable.
    async persist() {},
    async query(vector, k, filter) {
      const where = filter?.fresh ? freshWhere(filter.where, queries++) : filter?.where;
      const result = await collection.query({
        queryEmbeddings: [vector],
        nResults: k,
        where,
        include: QUERY_INCLUDE,
      });
      return result.ids[0].map(indexOfId);
    },
    async setEf(ef) {
      await collection.modify({ configuration: { hnsw: { ef_search: ef } } });
    },
    dataPid,
    peakRss,
    close,
  };
}
