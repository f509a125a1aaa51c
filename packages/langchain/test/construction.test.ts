/**
 * Construction variants, lazy vectors-only collections, static constructors, dimension checks and errors.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EphemeralClient, HashEmbeddingFunction, PersistentClient } from "@cairndb/core";
import { Document } from "@langchain/core/documents";
import { VectorStore } from "@langchain/core/vectorstores";
import { afterEach, describe, expect, it } from "vitest";
import { CairnVectorStore } from "../src";
import { uniqueName, WordEmbeddings } from "./helpers";

const embeddings = new WordEmbeddings(16);
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "cairn-lc-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

describe("construction", () => {
  it("is a LangChain VectorStore of type 'cairn' with Cairn's where as FilterType", () => {
    const store = new CairnVectorStore(embeddings, { collectionName: "docs" });
    cleanups.push(() => store.close());
    expect(store).toBeInstanceOf(VectorStore);
    expect(store._vectorstoreType()).toBe("cairn");
    expect(store.lc_namespace).toEqual(["langchain", "vectorstores", "cairn"]);
    expect(store.client).toBeInstanceOf(EphemeralClient);
    expect(Object.keys(store.lc_kwargs)).not.toContain("client");
  });

  it("creates the collection lazily, vectors-only, with the given metadata and configuration", async () => {
    const client = new EphemeralClient();
    cleanups.push(() => client.close());
    const store = new CairnVectorStore(embeddings, {
      collectionName: "lazy",
      client,
      collectionMetadata: { owner: "tests" },
      configuration: { hnsw: { space: "cosine" } },
    });
    expect(await client.countCollections()).toBe(0);
    await store.addDocuments([new Document({ pageContent: "hello" })]);
    const collection = await client.getCollection({ name: "lazy" });
    expect(collection.configuration.embedding_function).toBeNull();
    expect(collection.configuration.hnsw.space).toBe("cosine");
    expect(collection.metadata).toEqual({ owner: "tests" });
    expect(collection.dimension).toBe(16);
  });

  it("{ path } opens a PersistentClient that close() closes; a passed client stays open", async () => {
    const dir = tempDir();
    const owned = await CairnVectorStore.fromTexts(["persisted"], { n: 1 }, embeddings, {
      collectionName: "persisted",
      path: dir,
    });
    expect(owned.client).toBeInstanceOf(PersistentClient);
    await owned.close();
    await expect(owned.similaritySearch("persisted", 1)).rejects.toThrow();

    const client = new PersistentClient({ path: dir });
    cleanups.push(() => client.close());
    const borrowed = await CairnVectorStore.fromExistingCollection(embeddings, {
      collectionName: "persisted",
      client,
    });
    await borrowed.close();
    expect((await borrowed.similaritySearch("persisted", 1)).map((d) => d.metadata)).toEqual([{ n: 1 }]);
  });

  it("fromTexts takes one metadata object per text or one for all, and copies it", async () => {
    const shared = { source: "shared", nested: { a: 1 } };
    const store = await CairnVectorStore.fromTexts(["one", "two"], shared, embeddings, {
      collectionName: uniqueName(),
    });
    cleanups.push(() => store.close());
    const all = await store.similaritySearch("one", 2);
    expect(all.map((d) => d.metadata)).toEqual([shared, shared]);
    const perText = await CairnVectorStore.fromTexts(["a", "b"], [{ i: 0 }, { i: 1 }], embeddings, {
      collectionName: uniqueName(),
    });
    cleanups.push(() => perText.close());
    expect((await perText.similaritySearch("b", 1))[0]?.metadata).toEqual({ i: 1 });
  });

  it("fromDocuments honours Document.id and upserts into an existing collection", async () => {
    const client = new EphemeralClient();
    cleanups.push(() => client.close());
    const args = { collectionName: "docs", client };
    await CairnVectorStore.fromDocuments([new Document({ pageContent: "v1", id: "x" })], embeddings, args);
    const store = await CairnVectorStore.fromDocuments(
      [new Document({ pageContent: "v2", id: "x" })],
      embeddings,
      args,
    );
    expect(await store.getByIds(["x"])).toEqual([new Document({ pageContent: "v2", metadata: {}, id: "x" })]);
  });

  it("fromExistingCollection throws a clear COLLECTION_NOT_FOUND when the collection does not exist", async () => {
    const dir = tempDir();
    const error = await CairnVectorStore.fromExistingCollection(embeddings, {
      collectionName: "absent",
      path: dir,
    }).catch((e) => e);
    expect(error).toMatchObject({ code: "COLLECTION_NOT_FOUND", name: "NotFoundError" });
    expect(error.message).toContain("'absent' does not exist");
    expect(error.message).toContain("fromDocuments");
    const client = new PersistentClient({ path: dir });
    cleanups.push(() => client.close());
    expect(await client.countCollections()).toBe(0);
  });

  it("fromExistingCollection opens a collection created by core with an embedding function", async () => {
    const client = new EphemeralClient();
    cleanups.push(() => client.close());
    const ef = new HashEmbeddingFunction({ dimension: 16 });
    const col = await client.createCollection({ name: "made-by-core", embeddingFunction: ef });
    await col.add({ ids: ["a"], documents: ["vectors in sqlite"], metadatas: [{ "loc.lines.from": 3 }] });
    const store = await CairnVectorStore.fromExistingCollection(embeddings, {
      collectionName: "made-by-core",
      client,
    });
    expect(await store.getByIds(["a"])).toEqual([
      new Document({ pageContent: "vectors in sqlite", metadata: { loc: { lines: { from: 3 } } }, id: "a" }),
    ]);
  });

  it("rejects bad options with a code (and a did-you-mean for misspelt keys)", () => {
    expect(
      () => new CairnVectorStore(embeddings, { collectionName: "x", colectionMetadata: {} } as never),
    ).toThrow(
      expect.objectContaining({
        code: "UNKNOWN_OPTION",
        message: expect.stringContaining('Did you mean "collectionMetadata"?'),
      }),
    );
    expect(() => new CairnVectorStore(embeddings, { collectionName: "" })).toThrow(
      expect.objectContaining({ code: "INVALID_ARGUMENT" }),
    );
    expect(
      () =>
        new CairnVectorStore(embeddings, { collectionName: "x", path: "p", client: new EphemeralClient() }),
    ).toThrow(
      expect.objectContaining({ code: "INVALID_ARGUMENT", message: expect.stringContaining("not both") }),
    );
    expect(() => new CairnVectorStore(embeddings, { collectionName: "x", numDimensions: 0 })).toThrow(
      expect.objectContaining({ code: "INVALID_ARGUMENT" }),
    );
    expect(
      () => new CairnVectorStore(embeddings, { collectionName: "x", score: "relevance" as never }),
    ).toThrow(expect.objectContaining({ code: "INVALID_ARGUMENT" }));
  });

  it("an invalid collection name surfaces core's error on first use, and the next call can retry", async () => {
    const store = new CairnVectorStore(embeddings, { collectionName: "a" });
    cleanups.push(() => store.close());
    await expect(store.similaritySearch("x", 1)).rejects.toMatchObject({ code: "INVALID_COLLECTION_NAME" });
    await expect(store.similaritySearch("x", 1)).rejects.toMatchObject({ code: "INVALID_COLLECTION_NAME" });
  });
});

describe("numDimensions", () => {
  it("checks vectors written and queried", async () => {
    const store = new CairnVectorStore(embeddings, { collectionName: "dims", numDimensions: 16 });
    cleanups.push(() => store.close());
    await expect(store.addVectors([[1, 2, 3]], [new Document({ pageContent: "x" })])).rejects.toMatchObject({
      code: "DIMENSION_MISMATCH",
    });
    await expect(store.similaritySearchVectorWithScore([1, 2, 3], 1)).rejects.toMatchObject({
      code: "DIMENSION_MISMATCH",
    });
    await store.addDocuments([new Document({ pageContent: "sixteen dims" })]);
    expect(await store.similaritySearch("sixteen dims", 1)).toHaveLength(1);
  });

  it("conflicts with an existing collection of another dimension", async () => {
    const client = new EphemeralClient();
    cleanups.push(() => client.close());
    await CairnVectorStore.fromTexts(["x"], {}, embeddings, { collectionName: "d16", client });
    const error = await CairnVectorStore.fromExistingCollection(embeddings, {
      collectionName: "d16",
      client,
      numDimensions: 8,
    }).catch((e) => e);
    expect(error).toMatchObject({
      code: "DIMENSION_MISMATCH",
      message: expect.stringContaining("numDimensions is 8"),
    });
  });
});
