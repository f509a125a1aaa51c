/**
 * The shared conformance suite of `CairnVectorStore`: a port of LangChain Python's `VectorStoreIntegrationTests`
 * (langchain_tests/integration_tests/vectorstores.py) plus Cairn's own contract (metadata round trip, filters,
 * scores, retrievers, reopen). Every backend (ephemeral, persistent, HTTP) runs it through `defineVectorStoreSuite`.
 */
import type { EmbeddingsInterface } from "@langchain/core/embeddings";
import { Document } from "@langchain/core/documents";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { CairnVectorStore } from "../src";
import { uniqueName, WordEmbeddings } from "./helpers";

/** A fresh, empty store for one test; `reopen` opens the same collection anew (a new client / process view). */
export interface StoreHandle {
  store: CairnVectorStore;
  reopen?: () => Promise<CairnVectorStore>;
  cleanup: () => Promise<void>;
}

/** How one backend creates stores. */
export interface StoreFactory {
  name: string;
  create(embeddings: EmbeddingsInterface, collectionName: string): Promise<StoreHandle>;
  /** Why the reopen scenario cannot run for this backend (stated in the skipped test's name). */
  skipReopen?: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const docs = (...texts: string[]) => texts.map((pageContent) => new Document({ pageContent, metadata: {} }));

/** Registers the suite for one backend. */
export function defineVectorStoreSuite(factory: StoreFactory): void {
  describe(`CairnVectorStore conformance: ${factory.name}`, () => {
    let handle: StoreHandle;
    let store: CairnVectorStore;
    const embeddings = new WordEmbeddings();

    beforeEach(async () => {
      handle = await factory.create(embeddings, uniqueName("suite"));
      store = handle.store;
    });
    afterEach(async () => {
      await handle.cleanup();
    });

    it("a new store is empty", async () => {
      expect(await store.similaritySearch("foo", 1)).toEqual([]);
      expect(await store.similaritySearchWithScore("foo", 4)).toEqual([]);
      expect(await (await store.getCollection()).count()).toBe(0);
    });

    it("addDocuments returns ids, results carry them, and the inputs are not mutated", async () => {
      const input = [
        new Document({ pageContent: "foo", metadata: { id: 1 } }),
        new Document({ pageContent: "bar", metadata: { id: 2 } }),
      ];
      const snapshot = structuredClone(input);
      const ids = await store.addDocuments(input);
      expect(ids).toHaveLength(2);
      expect(new Set(ids).size).toBe(2);
      const hits = await store.similaritySearch("bar", 2);
      expect(hits).toEqual([
        new Document({ pageContent: "bar", metadata: { id: 2 }, id: ids[1] }),
        new Document({ pageContent: "foo", metadata: { id: 1 }, id: ids[0] }),
      ]);
      expect(input).toEqual(snapshot);
      expect(input.every((d) => d.id === undefined)).toBe(true);
    });

    it("addVectors and addDocuments accept an ids option and honour it", async () => {
      expect(await store.addDocuments(docs("foo", "bar"), { ids: ["1", "2"] })).toEqual(["1", "2"]);
      const [v] = await embeddings.embedDocuments(["baz"]);
      expect(await store.addVectors([v as number[]], docs("baz"), { ids: ["3"] })).toEqual(["3"]);
      expect((await store.getByIds(["1", "2", "3"])).map((d) => d.pageContent)).toEqual([
        "foo",
        "bar",
        "baz",
      ]);
    });

    it("delete removes the given ids only", async () => {
      await store.addDocuments(docs("foo", "bar"), { ids: ["1", "2"] });
      await store.delete({ ids: ["1"] });
      expect(await store.similaritySearch("foo", 10)).toEqual([
        new Document({ pageContent: "bar", metadata: {}, id: "2" }),
      ]);
    });

    it("bulk delete works and missing ids are a no-op", async () => {
      await store.addDocuments(docs("foo", "bar", "baz"), { ids: ["1", "2", "3"] });
      await store.delete({ ids: ["1", "2", "missing"] });
      expect((await store.similaritySearch("foo", 10)).map((d) => d.id)).toEqual(["3"]);
      await expect(store.delete({ ids: ["nope", "never"] })).resolves.toBeUndefined();
      await expect(store.delete({ ids: [] })).resolves.toBeUndefined();
      expect((await store.getByIds(["3"])).map((d) => d.id)).toEqual(["3"]);
    });

    it("delete without ids or a filter throws instead of deleting everything", async () => {
      await store.addDocuments(docs("foo"), { ids: ["1"] });
      await expect(store.delete({})).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
      await expect(store.delete({ filter: {} })).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
      expect(await store.getByIds(["1"])).toHaveLength(1);
    });

    it("delete by filter (where and whereDocument)", async () => {
      await store.addDocuments(
        [
          new Document({ pageContent: "alpha draft", metadata: { kind: "a" } }),
          new Document({ pageContent: "beta final", metadata: { kind: "b" } }),
          new Document({ pageContent: "gamma draft", metadata: { kind: "b" } }),
        ],
        { ids: ["1", "2", "3"] },
      );
      await store.delete({ filter: { kind: "a" } });
      expect((await store.getByIds(["1", "2", "3"])).map((d) => d.id)).toEqual(["2", "3"]);
      await store.delete({ whereDocument: { $contains: "draft" } });
      expect((await store.getByIds(["1", "2", "3"])).map((d) => d.id)).toEqual(["2"]);
    });

    it("adding the same ids twice is idempotent (no duplicates)", async () => {
      await store.addDocuments(docs("foo", "bar"), { ids: ["1", "2"] });
      await store.addDocuments(docs("foo", "bar"), { ids: ["1", "2"] });
      const hits = await store.similaritySearch("bar", 10);
      expect(hits.map((d) => d.id).sort()).toEqual(["1", "2"]);
      expect(await (await store.getCollection()).count()).toBe(2);
    });

    it("re-adding an id overwrites its content and metadata (stale keys removed)", async () => {
      await store.addDocuments(
        [
          new Document({ pageContent: "foo", metadata: { a: 1, nested: { x: 1 }, tags: [] } }),
          new Document({ pageContent: "bar", metadata: { b: 2 } }),
        ],
        { ids: ["1", "2"] },
      );
      await store.addDocuments([new Document({ pageContent: "new foo", metadata: { c: 3 } })], {
        ids: ["1"],
      });
      const [updated] = await store.getByIds(["1"]);
      expect(updated).toEqual(new Document({ pageContent: "new foo", metadata: { c: 3 }, id: "1" }));
      expect((await store.similaritySearch("new foo", 1))[0]?.id).toBe("1");
      expect(await store.getByIds(["2"])).toEqual([
        new Document({ pageContent: "bar", metadata: { b: 2 }, id: "2" }),
      ]);
    });

    it("getByIds keeps the input order and skips missing ids", async () => {
      await store.addDocuments(docs("foo", "bar", "baz"), { ids: ["1", "2", "3"] });
      expect((await store.getByIds(["3", "missing", "1", "2"])).map((d) => d.id)).toEqual(["3", "1", "2"]);
      expect(await store.getByIds(["missing"])).toEqual([]);
      expect(await store.getByIds([])).toEqual([]);
    });

    it("ids: options.ids win over Document.id, which wins over a generated UUID", async () => {
      const input = [
        new Document({ pageContent: "foo", metadata: {}, id: "doc-id" }),
        new Document({ pageContent: "bar", metadata: {} }),
        new Document({ pageContent: "baz", metadata: {}, id: "loses" }),
      ];
      const ids = await store.addDocuments(input, { ids: [undefined, undefined, "option-id"] });
      expect(ids[0]).toBe("doc-id");
      expect(ids[1]).toMatch(UUID);
      expect(ids[2]).toBe("option-id");
      expect((await store.getByIds(ids)).map((d) => [d.id, d.pageContent])).toEqual([
        ["doc-id", "foo"],
        [ids[1], "bar"],
        ["option-id", "baz"],
      ]);
      expect(input[1]?.id).toBeUndefined();
      expect(await store.getByIds(["loses"])).toEqual([]);
    });

    it("mismatched lengths are rejected before anything is written", async () => {
      await expect(store.addVectors([[1, 2, 3]], docs("a", "b"))).rejects.toMatchObject({
        code: "INVALID_ARGUMENT",
      });
      await expect(store.addDocuments(docs("a", "b"), { ids: ["1"] })).rejects.toMatchObject({
        code: "INVALID_ARGUMENT",
      });
      expect(await (await store.getCollection()).count()).toBe(0);
      expect(await store.addDocuments([])).toEqual([]);
    });

    it("nested, array and null metadata round-trip through writes and searches", async () => {
      const metadata = {
        source: "a.md",
        loc: { lines: { from: 3, to: 9 } },
        tags: ["x", "y"],
        scores: [1, 2.5],
        empty: [],
        objects: [{ a: 1 }],
        mixed: [1, "one", true],
        nothing: null,
        emptyObject: {},
        "dotted.key": { deep: true },
        deep: { list: [], value: 0.5, flag: false },
      };
      const [id] = await store.addDocuments([new Document({ pageContent: "metadata test", metadata })]);
      expect((await store.getByIds([id as string]))[0]?.metadata).toEqual(metadata);
      expect((await store.similaritySearch("metadata test", 1))[0]?.metadata).toEqual(metadata);
      const filtered = await store.similaritySearch("metadata test", 1, { "loc.lines.from": { $gte: 3 } });
      expect(filtered.map((d) => d.id)).toEqual([id]);
      expect(await store.similaritySearch("metadata test", 1, { "loc.lines.from": { $gt: 3 } })).toEqual([]);
    });

    it("searches honour k, filters and whereDocument; {} means no filter", async () => {
      await store.addDocuments(
        [
          new Document({ pageContent: "red apple pie", metadata: { kind: "fruit", n: 1 } }),
          new Document({ pageContent: "green apple tart", metadata: { kind: "fruit", n: 2 } }),
          new Document({ pageContent: "red brick wall", metadata: { kind: "stone", n: 3 } }),
        ],
        { ids: ["pie", "tart", "wall"] },
      );
      expect((await store.similaritySearch("red apple", 10)).map((d) => d.id)).toHaveLength(3);
      expect((await store.similaritySearch("red apple", 1)).map((d) => d.id)).toEqual(["pie"]);
      expect((await store.similaritySearch("red apple", 10, { kind: "stone" })).map((d) => d.id)).toEqual([
        "wall",
      ]);
      expect((await store.similaritySearch("red apple", 10, {})).map((d) => d.id)).toHaveLength(3);
      const byText = await store.search("red apple", { k: 10, whereDocument: { $contains: "tart" } });
      expect(byText.map(([d]) => d.id)).toEqual(["tart"]);
      const [[first, score]] = (await store.similaritySearchWithScore("red apple pie", 1)) as [
        [Document, number],
      ];
      expect(first.id).toBe("pie");
      expect(score).toBeGreaterThan(0.99);
    });

    it("asRetriever works for similarity and mmr search", async () => {
      const corpus = docs("the cat sat on the mat", "the cat sat on the mat", "a cat and a dog", "fish swim");
      await store.addDocuments(corpus, { ids: ["c1", "c2", "d", "f"] });
      const similar = await store.asRetriever({ k: 2 }).invoke("the cat sat");
      expect(similar.map((d) => d.id).sort()).toEqual(["c1", "c2"]);
      const mmr = await store
        .asRetriever({ k: 2, searchType: "mmr", searchKwargs: { fetchK: 4, lambda: 0.5 } })
        .invoke("the cat sat");
      expect(mmr).toHaveLength(2);
      expect(mmr.filter((d) => d.id?.startsWith("c"))).toHaveLength(1);
      const filtered = await store.asRetriever({ k: 4, filter: { missing: "x" } }).invoke("the cat sat");
      expect(filtered).toEqual([]);
    });

    it.skipIf(factory.skipReopen !== undefined)(
      `reopening with fromExistingCollection keeps everything${factory.skipReopen ? ` (skipped: ${factory.skipReopen})` : ""}`,
      async () => {
        const metadata = { source: "a.md", loc: { lines: { from: 1, to: 2 } }, tags: [] };
        await store.addDocuments([new Document({ pageContent: "persisted text", metadata })], {
          ids: ["p1"],
        });
        const reopened = await handle.reopen!();
        try {
          expect(await reopened.getByIds(["p1"])).toEqual([
            new Document({ pageContent: "persisted text", metadata, id: "p1" }),
          ]);
          expect((await reopened.similaritySearch("persisted text", 1))[0]?.id).toBe("p1");
          await reopened.addDocuments(docs("added after reopen"), { ids: ["p2"] });
          expect((await reopened.getByIds(["p2", "p1"])).map((d) => d.id)).toEqual(["p2", "p1"]);
        } finally {
          await reopened.close();
        }
      },
    );
  });
}
