/**
 * The conformance suite on the embedded clients: the store's own in-memory client, a client passed in, and a
 * database folder (`path`), where a second store opens a second PersistentClient on the same folder.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EphemeralClient } from "@cairndb/core";
import { afterAll } from "vitest";
import { CairnVectorStore } from "../src";
import { embedModel } from "./helpers/nodes";
import { defineStoreSuite } from "./store-suite";

const dir = mkdtempSync(join(tmpdir(), "cairn-li-suite-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

defineStoreSuite("EphemeralClient passed as client", async (collectionName) => {
  const client = new EphemeralClient();
  const store = new CairnVectorStore({ collectionName, client, embedModel });
  return {
    store,
    reopen: async () => new CairnVectorStore({ collectionName, client, embedModel }),
    cleanup: () => client.close(),
  };
});

defineStoreSuite("PersistentClient opened from path", async (collectionName) => {
  const path = join(dir, collectionName);
  const store = new CairnVectorStore({ collectionName, path, embedModel });
  return {
    store,
    reopen: async () => new CairnVectorStore({ collectionName, path, embedModel }),
    cleanup: () => store.close(),
  };
});
