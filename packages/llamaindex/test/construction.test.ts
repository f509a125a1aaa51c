/**
 * Construction: where the data lives, the embedding model (explicit, or from Settings), the collection it
 * creates (vectors-only, cosine by default) and who closes the client.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CairnError, EphemeralClient, PersistentClient } from "@cairndb/core";
import { Settings as CoreSettings } from "@llamaindex/core/global";
import { VectorStoreQueryMode } from "@llamaindex/core/vector-store";
import { Settings } from "llamaindex";
import { afterAll, describe, expect, it } from "vitest";
import { CairnVectorStore, type CairnVectorStoreOptions } from "../src";
import { HashEmbedding } from "./helpers/hash-embedding";
import { embedModel, makeNodes, uniqueName } from "./helpers/nodes";

const dir = mkdtempSync(join(tmpdir(), "cairn-li-construct-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function thrown(fn: () => unknown): CairnError {
  try {
    fn();
  } catch (error) {
    if (error instanceof CairnError) return error;
    throw error;
  }
  throw new Error("expected an error");
}

describe("options", () => {
  it.each<[string, unknown, string, RegExp]>([
    [
      "unknown key",
      { collectionName: "docs", colectionName: "x", embedModel },
      "UNKNOWN_OPTION",
      /unknown option "colectionName"\. Did you mean "collectionName"\?/,
    ],
    ["no collection name", { embedModel }, "INVALID_ARGUMENT", /collectionName: expected the name/],
    [
      "path and client",
      { collectionName: "docs", path: dir, client: {}, embedModel },
      "INVALID_ARGUMENT",
      /either path/,
    ],
    ["not an object", null, "INVALID_ARGUMENT", /options: expected/],
  ])("%s → %s", (_name, options, code, message) => {
    const error = thrown(() => new CairnVectorStore(options as CairnVectorStoreOptions));
    expect(error.code).toBe(code);
    expect(error.message).toMatch(message);
  });
});

describe("embedding model", () => {
  it("is the one passed (embedModel, or LlamaIndex's older embeddingModel)", () => {
    const other = new HashEmbedding(16);
    expect(new CairnVectorStore({ collectionName: "docs", embedModel }).embedModel).toBe(embedModel);
    expect(new CairnVectorStore({ collectionName: "docs", embeddingModel: other }).embedModel).toBe(other);
  });

  it("defaults to Settings.embedModel, as set through llamaindex's Settings or @llamaindex/core's", () => {
    const fromLlamaIndex = new HashEmbedding(8);
    const fromCore = new HashEmbedding(8);
    const a = Settings.withEmbedModel(fromLlamaIndex, () => new CairnVectorStore({ collectionName: "docs" }));
    const b = CoreSettings.withEmbedModel(fromCore, () => new CairnVectorStore({ collectionName: "docs" }));
    expect(a.embedModel).toBe(fromLlamaIndex);
    expect(b.embedModel).toBe(fromCore);
  });

  it("without either, fails with EMBEDDING_FUNCTION_MISSING explaining the two-copies trap", () => {
    const error = thrown(() => new CairnVectorStore({ collectionName: "docs" }));
    expect(error.code).toBe("EMBEDDING_FUNCTION_MISSING");
    expect(error.message).toMatch(/Pass \{ embedModel \} or set Settings\.embedModel/);
    expect(error.message).toMatch(/second copy of @llamaindex\/core/);
  });
});

describe("collection", () => {
  it("is created on first use, vectors-only, in cosine space, with the collection metadata", async () => {
    const store = new CairnVectorStore({
      collectionName: uniqueName("new"),
      embedModel,
      collectionMetadata: { team: "search" },
    });
    const collection = await store.client();
    expect(await store.client()).toBe(collection);
    expect(collection.configuration.embedding_function).toBeNull();
    expect(collection.configuration.hnsw.space).toBe("cosine");
    expect(collection.metadata).toEqual({ team: "search" });
    await expect(collection.add({ ids: ["a"], documents: ["text"] })).rejects.toMatchObject({
      code: "EMBEDDING_FUNCTION_MISSING",
    });
    await store.close();
  });

  it.each([
    ["configuration", { configuration: { hnsw: { space: "l2" as const } } }, "l2"],
    ["legacy collection metadata", { collectionMetadata: { "hnsw:space": "ip" } }, "ip"],
    ["spann configuration", { configuration: { spann: { ef_search: 50 } } }, "cosine"],
  ])("honours the space chosen in the %s", async (_name, extra, space) => {
    const store = new CairnVectorStore({ collectionName: uniqueName("space"), embedModel, ...extra });
    expect((await store.client()).configuration.hnsw.space).toBe(space);
    await store.close();
  });

  it("l2 similarities come from toSimilarity: 1 / (1 + squared distance), still higher-is-better", async () => {
    const store = new CairnVectorStore({
      collectionName: uniqueName("l2"),
      embedModel,
      configuration: { hnsw: { space: "l2" } },
    });
    await store.add(
      await makeNodes([
        { id: "a", text: "alpha beta" },
        { id: "b", text: "gamma delta" },
      ]),
    );
    const queryEmbedding = await embedModel.getTextEmbedding("alpha beta");
    const result = await store.query({
      queryEmbedding,
      similarityTopK: 2,
      mode: VectorStoreQueryMode.DEFAULT,
    });
    expect(result.ids[0]).toBe("a");
    expect(result.similarities[0]).toBeCloseTo(1, 5);
    expect(result.similarities[1]).toBeGreaterThan(0);
    expect(result.similarities[1]).toBeLessThan(result.similarities[0] as number);
    await store.close();
  });

  it("an existing collection is reused as it is (its space and stored nodes)", async () => {
    const client = new EphemeralClient();
    const name = uniqueName("existing");
    await client.createCollection({
      name,
      embeddingFunction: null,
      configuration: { hnsw: { space: "ip" } },
    });
    const store = new CairnVectorStore({ collectionName: name, client, embedModel });
    expect((await store.client()).configuration.hnsw.space).toBe("ip");
    await client.close();
  });

  it("a failed open is not cached: the next call tries again", async () => {
    const store = new CairnVectorStore({ collectionName: "x", embedModel }); // too short for Cairn
    await expect(store.client()).rejects.toMatchObject({ code: "INVALID_COLLECTION_NAME" });
    await expect(store.client()).rejects.toMatchObject({ code: "INVALID_COLLECTION_NAME" });
  });
});

describe("client ownership", () => {
  it("close() closes a client the store opened (path), and leaves a passed client open", async () => {
    const path = join(dir, "owned");
    const owned = new CairnVectorStore({ collectionName: "owned", path, embedModel });
    expect(owned.cairnClient).toBeInstanceOf(PersistentClient);
    await owned.add(await makeNodes([{ id: "a", text: "kept on disk" }]));
    await owned.close();
    await expect(owned.cairnClient.listCollections()).rejects.toMatchObject({ code: "CLIENT_CLOSED" });

    const client = new PersistentClient({ path });
    const borrowed = new CairnVectorStore({ collectionName: "owned", client, embedModel });
    expect(await (await borrowed.client()).count()).toBe(1);
    await borrowed.close();
    expect(await client.countCollections()).toBe(1);
    await client.close();
  });

  it("neither path nor client: an in-memory EphemeralClient per store", async () => {
    const a = new CairnVectorStore({ collectionName: "memory", embedModel });
    const b = new CairnVectorStore({ collectionName: "memory", embedModel });
    expect(a.cairnClient).toBeInstanceOf(EphemeralClient);
    await a.add(await makeNodes([{ id: "a", text: "only in a" }]));
    expect(await (await b.client()).count()).toBe(0);
    await Promise.all([a.close(), b.close()]);
  });
});
