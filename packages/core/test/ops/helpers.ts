/** Helpers of the operations tests: a populated database folder, and its full content as one value. */
import { PersistentClient } from "@cairndb/core";
import { dumpDatabase, vector } from "../reliability/helpers";

export { dumpDatabase, TempDirs, vector } from "../reliability/helpers";

/**
 * Writes two collections into `path`: "docs" (`count` records with documents, metadata and vectors of `dim`
 * dimensions, l2, small sync threshold so index snapshots exist) and "empty" (no records). Deletes a few, so
 * tombstones exist too.
 */
export async function populate(path: string, count = 600, dim = 8): Promise<void> {
  const client = new PersistentClient({ path });
  try {
    const docs = await client.createCollection({
      name: "docs",
      embeddingFunction: null,
      metadata: { owner: "ops" },
      configuration: { hnsw: { space: "l2", sync_threshold: 100, batch_size: 50 } },
    });
    await client.createCollection({ name: "empty", embeddingFunction: null });
    for (let first = 0; first < count; first += 200) {
      const ids = Array.from({ length: Math.min(200, count - first) }, (_, k) => `r${first + k}`);
      await docs.add({
        ids,
        embeddings: ids.map((_, k) => vector(first + k, dim)),
        documents: ids.map((id, k) => `document ${id} about topic ${(first + k) % 7}`),
        metadatas: ids.map((_, k) => ({
          n: first + k,
          even: (first + k) % 2 === 0,
          tags: ["a", `t${(first + k) % 3}`],
        })),
        uris: ids.map((id) => `mem://${id}`),
      });
    }
    await docs.delete({ ids: ["r1", "r2", "r3"] });
  } finally {
    await client.close();
  }
}

/** The full content of a database folder (see `dumpDatabase`). */
export async function dumpFolder(path: string): Promise<unknown> {
  const client = new PersistentClient({ path });
  try {
    return await dumpDatabase(client);
  } finally {
    await client.close();
  }
}
