/**
 * LangChain's indexing API (`index()` from @langchain/core/indexing) drives a store through
 * `addDocuments(docs, { ids })` and `delete({ ids })`; re-running it on unchanged documents must write nothing.
 */
import { Document } from "@langchain/core/documents";
import { index } from "@langchain/core/indexing";
import { afterEach, describe, expect, it } from "vitest";
import { CairnVectorStore } from "../src";
import { MemoryRecordManager, uniqueName, WordEmbeddings } from "./helpers";

const corpus = () => [
  new Document({
    pageContent: "Cairn keeps vectors in SQLite",
    metadata: { source: "a.md", loc: { lines: { from: 1, to: 1 } } },
  }),
  new Document({
    pageContent: "HNSW makes search fast",
    metadata: { source: "a.md", loc: { lines: { from: 2, to: 2 } } },
  }),
  new Document({ pageContent: "LangChain computes the embeddings", metadata: { source: "b.md", tags: [] } }),
  new Document({ pageContent: "Filters use Cairn's where grammar", metadata: { source: "c.md" } }),
];

describe("index() with CairnVectorStore", () => {
  let store: CairnVectorStore;
  afterEach(async () => {
    await store.close();
  });

  it("is idempotent: the second run adds nothing and skips everything", async () => {
    const embeddings = new WordEmbeddings();
    store = new CairnVectorStore(embeddings, { collectionName: uniqueName("index") });
    const recordManager = new MemoryRecordManager();
    const first = await index({
      docsSource: corpus(),
      recordManager,
      vectorStore: store,
      options: { cleanup: "incremental", sourceIdKey: "source" },
    });
    expect(first).toEqual({ numAdded: 4, numDeleted: 0, numUpdated: 0, numSkipped: 0 });
    const callsAfterFirst = embeddings.documentCalls;
    const second = await index({
      docsSource: corpus(),
      recordManager,
      vectorStore: store,
      options: { cleanup: "incremental", sourceIdKey: "source" },
    });
    expect(second).toEqual({ numAdded: 0, numDeleted: 0, numUpdated: 0, numSkipped: 4 });
    expect(embeddings.documentCalls).toBe(callsAfterFirst);
    expect(await (await store.getCollection()).count()).toBe(4);
  });

  it("replaces a changed document (content-hash ids) and removes the old one with incremental cleanup", async () => {
    store = new CairnVectorStore(new WordEmbeddings(), { collectionName: uniqueName("index") });
    const recordManager = new MemoryRecordManager();
    const options = { cleanup: "incremental" as const, sourceIdKey: "source" };
    await index({ docsSource: corpus(), recordManager, vectorStore: store, options });
    const changed = corpus();
    changed[3] = new Document({
      pageContent: "Filters use Cairn's where grammar, with $exists",
      metadata: { source: "c.md" },
    });
    const result = await index({ docsSource: changed, recordManager, vectorStore: store, options });
    expect(result).toEqual({ numAdded: 1, numDeleted: 1, numUpdated: 0, numSkipped: 3 });
    const hits = await store.similaritySearch("where grammar", 10, { source: "c.md" });
    expect(hits.map((d) => d.pageContent)).toEqual(["Filters use Cairn's where grammar, with $exists"]);
    expect(await (await store.getCollection()).count()).toBe(4);
  });

  it("full cleanup deletes documents that are no longer in the source", async () => {
    store = new CairnVectorStore(new WordEmbeddings(), { collectionName: uniqueName("index") });
    const recordManager = new MemoryRecordManager();
    await index({ docsSource: corpus(), recordManager, vectorStore: store, options: { cleanup: "full" } });
    const result = await index({
      docsSource: corpus().slice(0, 2),
      recordManager,
      vectorStore: store,
      options: { cleanup: "full" },
    });
    expect(result).toEqual({ numAdded: 0, numDeleted: 2, numUpdated: 0, numSkipped: 2 });
    expect(await (await store.getCollection()).count()).toBe(2);
  });
});
