/**
 * `VectorStoreIndex` over a `CairnVectorStore`: chunked ingestion and `deleteRefDoc`, re-ingestion without
 * duplicates, a query engine whose (mock) LLM sees the retrieved context, and persistence across processes
 * (child processes run against the BUILT packages, so `packages/core/dist` and `packages/llamaindex/dist`
 * must exist: `npx tsup` in each).
 */
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { MockLLM } from "@llamaindex/core/llms/mock";
import {
  Document,
  IngestionPipeline,
  SentenceSplitter,
  Settings,
  storageContextFromDefaults,
  VectorStoreIndex,
} from "llamaindex";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CairnVectorStore } from "../src";
import { embedModel, uniqueName } from "./helpers/nodes";

const run = promisify(execFile);
const packageDir = fileURLToPath(new URL("..", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "cairn-li-index-"));

/** A document of `sentences` sentences about `topic`: long enough for the default 1024-token splitter. */
function longDocument(id: string, topic: string, sentences: number): Document {
  const text = Array.from(
    { length: sentences },
    (_, i) =>
      `Note ${i} on ${topic}: item ${i} of the ${topic} guide explains one more detail about ${topic}.`,
  ).join(" ");
  return new Document({ id_: id, text, metadata: { topic } });
}

async function nodesOf(store: CairnVectorStore, refDocId: string): Promise<number> {
  const found = await (await store.client()).get({ where: { ref_doc_id: refDocId }, include: [] });
  return found.ids.length;
}

beforeAll(() => {
  // VectorStoreIndex reads Settings.embedModel in its constructor and embeds queries with it: it must be the
  // store's model too (each test file runs in its own module graph, so this does not leak).
  Settings.embedModel = embedModel;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("VectorStoreIndex.fromDocuments", () => {
  it("deleteRefDoc removes every chunk of the document, and only those", async () => {
    const vectorStore = new CairnVectorStore({ collectionName: uniqueName("chunks"), embedModel });
    const storageContext = await storageContextFromDefaults({ vectorStore });
    const docs = [longDocument("doc-paris", "Paris", 200), longDocument("doc-rome", "Rome", 200)];
    const index = await VectorStoreIndex.fromDocuments(docs, { storageContext });
    const parisChunks = await nodesOf(vectorStore, "doc-paris");
    expect(parisChunks).toBeGreaterThan(1);
    expect(await nodesOf(vectorStore, "doc-rome")).toBeGreaterThan(1);

    await index.deleteRefDoc("doc-paris");
    expect(await nodesOf(vectorStore, "doc-paris")).toBe(0);
    expect(await nodesOf(vectorStore, "doc-rome")).toBeGreaterThan(1);
    const hits = await index.asRetriever({ similarityTopK: 5 }).retrieve({ query: "the Paris guide" });
    expect(hits.length).toBeGreaterThan(0);
    expect(hits.every(({ node }) => node.sourceNode?.nodeId === "doc-rome")).toBe(true);
    await vectorStore.close();
  });

  it("re-ingesting the same documents adds nothing; a changed document replaces its chunks", async () => {
    const vectorStore = new CairnVectorStore({ collectionName: uniqueName("reingest"), embedModel });
    const storageContext = await storageContextFromDefaults({ vectorStore });
    const docs = [longDocument("doc-a", "apples", 150), longDocument("doc-b", "bananas", 150)];
    await VectorStoreIndex.fromDocuments(docs, { storageContext });
    const collection = await vectorStore.client();
    const before = await collection.count();
    const oldB = (await collection.get({ where: { ref_doc_id: "doc-b" }, include: [] })).ids;

    await VectorStoreIndex.fromDocuments(
      [longDocument("doc-a", "apples", 150), longDocument("doc-b", "bananas", 150)],
      {
        storageContext,
      },
    );
    expect(await collection.count()).toBe(before);

    await VectorStoreIndex.fromDocuments([longDocument("doc-b", "cherries", 150)], { storageContext });
    const newB = (await collection.get({ where: { ref_doc_id: "doc-b" }, include: ["documents"] })).rows();
    expect(newB.length).toBeGreaterThan(1);
    expect(newB.some((row) => oldB.includes(row.id))).toBe(false);
    expect(newB.every((row) => row.document?.includes("cherries"))).toBe(true);
    expect(await nodesOf(vectorStore, "doc-a")).toBeGreaterThan(1);
    await vectorStore.close();
  });

  it("LlamaIndex 0.12.1 trap: Settings.nodeParser set through `llamaindex` never reaches fromDocuments", async () => {
    // fromDocuments reads the node parser of llamaindex's own `indices` bundle, a second GlobalSettings
    // instance; only embedModel / llm / chunkSize are shared (through @llamaindex/core/global).
    const explicit = new SentenceSplitter({ chunkSize: 40, chunkOverlap: 0 });
    const doc = longDocument("doc-trap", "trap", 30);
    const explicitCount = (await explicit.getNodesFromDocuments([doc])).length;
    const vectorStore = new CairnVectorStore({ collectionName: uniqueName("trap"), embedModel });
    const storageContext = await storageContextFromDefaults({ vectorStore });
    await Settings.withNodeParser(explicit, () => VectorStoreIndex.fromDocuments([doc], { storageContext }));
    expect(explicitCount).toBeGreaterThan(1);
    expect(await nodesOf(vectorStore, "doc-trap")).toBe(1); // the default 1024-token splitter, not `explicit`
    await vectorStore.close();
  });
});

describe("an explicit SentenceSplitter transformation (IngestionPipeline), then VectorStoreIndex.fromVectorStore", () => {
  it("chunks as configured; deleteRefDoc removes all the chunks", async () => {
    const vectorStore = new CairnVectorStore({ collectionName: uniqueName("pipeline"), embedModel });
    const splitter = new SentenceSplitter({ chunkSize: 40, chunkOverlap: 0 });
    const docs = [longDocument("doc-x", "xylophones", 12), longDocument("doc-y", "yachts", 12)];
    const expected = (await splitter.getNodesFromDocuments([docs[0] as Document])).length;
    const { docStore } = await storageContextFromDefaults({});
    const pipeline = new IngestionPipeline({
      transformations: [splitter, embedModel],
      vectorStore,
      docStore,
    });
    await pipeline.run({ documents: docs });
    expect(await nodesOf(vectorStore, "doc-x")).toBe(expected);
    expect(expected).toBeGreaterThan(2);

    await pipeline.run({ documents: docs }); // same hashes in the docStore: nothing new
    expect(await (await vectorStore.client()).count()).toBe(2 * expected);

    const index = await VectorStoreIndex.fromVectorStore(vectorStore);
    await index.deleteRefDoc("doc-x", false);
    expect(await nodesOf(vectorStore, "doc-x")).toBe(0);
    expect(await nodesOf(vectorStore, "doc-y")).toBe(expected);
    await vectorStore.close();
  });

  it("LlamaIndex bug: deleteRefDoc(id) on an index from fromVectorStore throws in its empty docStore", async () => {
    // SimpleKVStore.delete reads `key in this.data[collection]` of a collection never written. The vector
    // store has already deleted the nodes by then; `deleteRefDoc(id, false)` skips the docStore.
    const vectorStore = new CairnVectorStore({ collectionName: uniqueName("docstore-bug"), embedModel });
    const splitter = new SentenceSplitter({ chunkSize: 40, chunkOverlap: 0 });
    await new IngestionPipeline({ transformations: [splitter, embedModel], vectorStore }).run({
      documents: [longDocument("doc-z", "zebras", 12)],
    });
    const index = await VectorStoreIndex.fromVectorStore(vectorStore);
    await expect(index.deleteRefDoc("doc-z")).rejects.toThrow(TypeError);
    expect(await nodesOf(vectorStore, "doc-z")).toBe(0);
    await vectorStore.close();
  });
});

describe("query engine", () => {
  it("the LLM's prompt holds the retrieved chunks, and sourceNodes carry similarities", async () => {
    const prompts: string[] = [];
    class RecordingLLM extends MockLLM {
      // biome-ignore lint/suspicious/noExplicitAny: MockLLM's overloads take either parameter shape.
      override async complete(params: any): Promise<any> {
        prompts.push(String(params.prompt));
        return super.complete(params);
      }
    }
    const vectorStore = new CairnVectorStore({ collectionName: uniqueName("engine"), embedModel });
    const storageContext = await storageContextFromDefaults({ vectorStore });
    const docs = [
      new Document({ id_: "fr", text: "Paris is the capital of France.", metadata: { country: "fr" } }),
      new Document({ id_: "de", text: "Berlin is the capital of Germany.", metadata: { country: "de" } }),
      new Document({ id_: "it", text: "Pasta is cooked in salted water.", metadata: { country: "it" } }),
    ];
    const index = await VectorStoreIndex.fromDocuments(docs, { storageContext });
    const llm = new RecordingLLM({ timeBetweenToken: 0, responseMessage: "Paris." });
    const response = await Settings.withLLM(llm, () =>
      index.asQueryEngine({ similarityTopK: 1 }).query({ query: "What is the capital of France?" }),
    );
    expect(response.toString()).toBe("Paris.");
    expect(prompts.at(-1)).toContain("Paris is the capital of France.");
    expect(prompts.at(-1)).not.toContain("Berlin");
    expect(response.sourceNodes?.[0]?.node.id_).toBeTruthy();
    expect(response.sourceNodes?.[0]?.score).toBeGreaterThan(0.3);

    const filtered = await Settings.withLLM(llm, () =>
      index
        .asQueryEngine({
          similarityTopK: 1,
          preFilters: { filters: [{ key: "country", value: "de", operator: "==" }] },
        })
        .query({ query: "What is the capital of France?" }),
    );
    expect(filtered.sourceNodes?.[0]?.node.metadata).toEqual({ country: "de" });
    expect(prompts.at(-1)).toContain("Berlin is the capital of Germany.");
    await vectorStore.close();
  });
});

describe("persistence across processes (built packages)", () => {
  const child = async (mode: string, dbPath: string, persistDir: string) => {
    const { stdout } = await run(
      process.execPath,
      ["test/fixtures/index-child.mjs", mode, dbPath, persistDir],
      {
        cwd: packageDir,
        timeout: 60_000,
      },
    );
    return JSON.parse(stdout.trim().split("\n").at(-1) as string);
  };

  beforeAll(() => {
    for (const pkg of ["core", "llamaindex"]) {
      const dist = join(packageDir, "..", pkg, "dist", "index.js");
      if (!existsSync(dist))
        throw new Error(`packages/${pkg}/dist is missing: run \`npx tsup\` in packages/${pkg}`);
    }
  });

  it("one process ingests, another re-ingests (no duplicates), a third reopens with fromVectorStore", async () => {
    const dbPath = join(dir, "handbook-db");
    const persistDir = join(dir, "handbook-storage");
    const first = await child("write", dbPath, persistDir);
    expect(first.count).toBeGreaterThan(2);
    const again = await child("reingest", dbPath, persistDir);
    expect(again.count).toBe(first.count);
    expect(again.pid).not.toBe(first.pid);

    const read = await child("read", dbPath, persistDir);
    expect(read.pid).not.toBe(again.pid);
    expect(read.hits[0].refDocId).toBe("doc-returns");
    expect(read.hits[0].text).toMatch(/Refunds reach your card/);
    expect(read.hits[0].score).toBeGreaterThan(read.hits[1].score);
    expect(read.filteredTopics).toEqual(["shipping"]);

    // And this process sees the same collection.
    const store = new CairnVectorStore({ collectionName: "handbook", path: dbPath, embedModel });
    expect(await (await store.client()).count()).toBe(first.count);
    await (await VectorStoreIndex.fromVectorStore(store)).deleteRefDoc("doc-returns", false);
    await store.close();
    const after = await child("read", dbPath, persistDir);
    expect(after.hits.every((hit: { refDocId: string }) => hit.refDocId === "doc-shipping")).toBe(true);
  });
});
