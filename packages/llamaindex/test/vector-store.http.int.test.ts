/**
 * The conformance suite against an HTTP-backed store: `@cairndb/server` on loopback and core's `HttpClient`
 * passed as `client`.
 */
import { startTestServer, type TestServer } from "@cairndb/testing";
import { afterAll, beforeAll, describe } from "vitest";
import { CairnVectorStore } from "../src";
import { embedModel } from "./helpers/nodes";
import { defineStoreSuite } from "./store-suite";

describe("HTTP-backed store", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer("cairn-li-http-");
  });
  afterAll(() => server?.close());

  defineStoreSuite("HttpClient → startServer (loopback)", async (collectionName) => {
    const client = server.connect();
    const store = new CairnVectorStore({ collectionName, client, embedModel });
    return {
      store,
      // A second client sees the same server-side collection.
      reopen: async () => new CairnVectorStore({ collectionName, client: server.connect(), embedModel }),
      cleanup: async () => {
        await client.deleteCollection({ name: collectionName }).catch(() => undefined);
      },
    };
  });
});
