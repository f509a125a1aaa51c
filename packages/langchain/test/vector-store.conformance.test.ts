import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EphemeralClient } from "@cairndb/core";
import { CairnVectorStore } from "../src";
import { defineVectorStoreSuite } from "./vector-store-suite";

defineVectorStoreSuite({
  name: "ephemeral (no client given)",
  skipReopen: "an in-memory store cannot be reopened by a new client",
  async create(embeddings, collectionName) {
    const store = new CairnVectorStore(embeddings, { collectionName });
    return { store, cleanup: () => store.close() };
  },
});

defineVectorStoreSuite({
  name: "ephemeral (a client passed in, reopened through it)",
  async create(embeddings, collectionName) {
    const client = new EphemeralClient();
    const store = new CairnVectorStore(embeddings, { collectionName, client });
    return {
      store,
      reopen: () => CairnVectorStore.fromExistingCollection(embeddings, { collectionName, client }),
      cleanup: () => client.close(),
    };
  },
});

defineVectorStoreSuite({
  name: "persistent (path, reopened by a new PersistentClient)",
  async create(embeddings, collectionName) {
    const dir = mkdtempSync(join(tmpdir(), "cairn-lc-"));
    const store = new CairnVectorStore(embeddings, { collectionName, path: dir });
    return {
      store,
      reopen: async () => {
        await store.close();
        return CairnVectorStore.fromExistingCollection(embeddings, { collectionName, path: dir });
      },
      cleanup: async () => {
        await store.close().catch(() => undefined);
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
});
