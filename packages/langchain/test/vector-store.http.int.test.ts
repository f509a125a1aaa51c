/**
 * The conformance suite against an HTTP-backed store: `@cairndb/server` on loopback and core's `HttpClient`
 * passed as `client`.
 */
import { startTestServer, type TestServer } from "@cairndb/testing";
import { afterAll, beforeAll, describe } from "vitest";
import { CairnVectorStore } from "../src";
import { defineVectorStoreSuite } from "./vector-store-suite";

describe("HTTP-backed store", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer("cairn-lc-http-");
  });
  afterAll(() => server?.close());

  defineVectorStoreSuite({
    name: "HttpClient → startServer (loopback)",
    async create(embeddings, collectionName) {
      const store = new CairnVectorStore(embeddings, { collectionName, client: server.connect() });
      return {
        store,
        // A second client sees the same server-side collection.
        reopen: () =>
          CairnVectorStore.fromExistingCollection(embeddings, { collectionName, client: server.connect() }),
        cleanup: async () => {
          await store.client.deleteCollection({ name: collectionName }).catch(() => undefined);
        },
      };
    },
  });
});
