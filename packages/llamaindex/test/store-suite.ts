/**
 * The conformance suite of `CairnVectorStore`, run against every kind of client (in memory, on disk, over
 * HTTP). Each backend supplies a factory; the cases are the same.
 */
import { similarity } from "@llamaindex/core/embeddings";
import { MetadataMode } from "@llamaindex/core/schema";
import { type VectorStoreQuery, VectorStoreQueryMode } from "@llamaindex/core/vector-store";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { CairnQueryParams, CairnVectorStore } from "../src";
import { embedModel, makeNodes, type NodeSpec, uniqueName } from "./helpers/nodes";

/** One store under test, how to open a second handle on the same collection, and how to clean up. */
export interface StoreFixture {
  store: CairnVectorStore;
  /** A new store (and client, where the backend allows) over the same collection. */
  reopen(): Promise<CairnVectorStore>;
  cleanup(): Promise<void>;
}

const SPECS: NodeSpec[] = [
  {
    id: "fr-1",
    text: "Paris is the capital of France",
    metadata: { lang: "en", year: 2019 },
    source: "doc-fr",
  },
  {
    id: "fr-2",
    text: "France is famous for cheese and wine",
    metadata: { lang: "en", year: 2021 },
    source: "doc-fr",
  },
  {
    id: "de-1",
    text: "Berlin is the capital of Germany",
    metadata: { lang: "de", year: 2020 },
    source: "doc-de",
  },
  {
    id: "es-1",
    text: "Madrid is the capital of Spain",
    metadata: { lang: "es", year: 2022 },
    source: "doc-es",
  },
  { id: "loose", text: "A note without a source document", metadata: { lang: "en" }, source: null },
];

/** Defines the suite for one backend. */
export function defineStoreSuite(
  backend: string,
  create: (collectionName: string) => Promise<StoreFixture>,
): void {
  describe(`CairnVectorStore conformance: ${backend}`, () => {
    const fixtures: StoreFixture[] = [];
    const open = async (): Promise<StoreFixture> => {
      const fixture = await create(uniqueName("suite"));
      fixtures.push(fixture);
      return fixture;
    };
    const seeded = async (): Promise<StoreFixture> => {
      const fixture = await open();
      await fixture.store.add(await makeNodes(SPECS));
      return fixture;
    };
    const search = async (
      store: CairnVectorStore,
      text: string,
      extra: Partial<VectorStoreQuery<CairnQueryParams>> = {},
    ) => {
      const queryEmbedding = await embedModel.getTextEmbedding(text);
      return store.query({
        queryEmbedding,
        similarityTopK: 10,
        mode: VectorStoreQueryMode.DEFAULT,
        ...extra,
      });
    };
    afterEach(async () => {
      for (const fixture of fixtures.splice(0)) await fixture.cleanup();
    });

    it("a new store is empty, and add([]) writes nothing", async () => {
      const { store } = await open();
      expect(await store.add([])).toEqual([]);
      expect(await search(store, "anything")).toEqual({ ids: [], similarities: [], nodes: [] });
    });

    it("add returns the node ids; query returns nodes aligned with ids, most similar first", async () => {
      const { store } = await open();
      const nodes = await makeNodes(SPECS);
      expect(await store.add(nodes)).toEqual(SPECS.map((s) => s.id));
      const result = await search(store, "What is the capital of France?", { similarityTopK: 3 });
      expect(result.ids).toHaveLength(3);
      expect(result.ids[0]).toBe("fr-1");
      expect(result.nodes?.map((n) => n.id_)).toEqual(result.ids);
      expect(result.nodes?.[0]?.getContent(MetadataMode.NONE)).toBe("Paris is the capital of France");
      expect(result.nodes?.[0]?.metadata).toEqual({ lang: "en", year: 2019 });
      expect([...result.similarities].sort((a, b) => b - a)).toEqual(result.similarities);
    });

    it("similarities are higher-is-better cosine similarities (toSimilarity of the cosine space)", async () => {
      const { store } = await seeded();
      const query = await embedModel.getTextEmbedding("capital of Germany");
      const result = await store.query({
        queryEmbedding: query,
        similarityTopK: 5,
        mode: VectorStoreQueryMode.DEFAULT,
      });
      const nodes = await makeNodes(SPECS);
      result.ids.forEach((id, i) => {
        const node = nodes.find((n) => n.id_ === id);
        expect(result.similarities[i]).toBeCloseTo(similarity(query, node?.embedding as number[]), 5);
      });
      expect(result.similarities[0]).toBeGreaterThan(0.5);
    });

    it("honours similarityTopK and filters", async () => {
      const { store } = await seeded();
      expect((await search(store, "capital", { similarityTopK: 2 })).ids).toHaveLength(2);
      const filtered = await search(store, "capital", {
        filters: {
          filters: [
            { key: "lang", value: "en", operator: "==" },
            { key: "year", value: 2020, operator: "<" },
          ],
        },
      });
      expect(filtered.ids).toEqual(["fr-1"]);
    });

    it("docIds restricts to node ids or to source document ids (both readings exist in LlamaIndex)", async () => {
      const { store } = await seeded();
      expect((await search(store, "capital", { docIds: ["de-1", "es-1"] })).ids.sort()).toEqual([
        "de-1",
        "es-1",
      ]);
      expect((await search(store, "capital", { docIds: ["doc-fr"] })).ids.sort()).toEqual(["fr-1", "fr-2"]);
      expect((await search(store, "capital", { docIds: [] })).ids).toEqual([]);
      const both = await search(store, "capital", {
        docIds: ["doc-fr", "de-1"],
        filters: { filters: [{ key: "year", value: 2020, operator: ">=" }] },
      });
      expect(both.ids.sort()).toEqual(["de-1", "fr-2"]);
    });

    it("re-adding a node id replaces it: no duplicate, new text, stale metadata keys gone", async () => {
      const { store } = await seeded();
      const [changed] = await makeNodes([
        {
          id: "fr-1",
          text: "Paris, capital of France, on the Seine",
          metadata: { lang: "fr" },
          source: "doc-fr",
        },
      ]);
      await store.add([changed as NonNullable<typeof changed>]);
      await store.add([changed as NonNullable<typeof changed>]);
      expect(await (await store.client()).count()).toBe(SPECS.length);
      const result = await search(store, "Paris on the Seine", { similarityTopK: 1 });
      expect(result.nodes?.[0]?.getContent(MetadataMode.NONE)).toBe("Paris, capital of France, on the Seine");
      expect(result.nodes?.[0]?.metadata).toEqual({ lang: "fr" });
      const byYear = await search(store, "Paris", {
        filters: { filters: [{ key: "year", value: 2019, operator: "==" }] },
      });
      expect(byYear.ids).toEqual([]);
    });

    it("delete(refDocId) removes every node of that document in one delete({ where }) call", async () => {
      const { store } = await seeded();
      const collection = await store.client();
      const spy = vi.spyOn(collection, "delete");
      await store.delete("doc-fr");
      expect(spy).toHaveBeenCalledTimes(1);
      expect(spy).toHaveBeenCalledWith({ where: { ref_doc_id: "doc-fr" } });
      spy.mockRestore();
      expect((await search(store, "France")).ids.sort()).toEqual(["de-1", "es-1", "loose"]);
    });

    it("delete of a missing document is a no-op; a node without a source is deleted by its own id", async () => {
      const { store } = await seeded();
      await store.delete("no-such-doc");
      await store.delete("None"); // LlamaIndex's placeholder for "no source": must not match source-less nodes
      expect(await (await store.client()).count()).toBe(SPECS.length);
      await store.delete("loose");
      expect((await search(store, "note")).ids).not.toContain("loose");
      expect(await (await store.client()).count()).toBe(SPECS.length - 1);
    });

    it("mode mmr works; hybrid, sparse and other modes throw UNSUPPORTED naming the mode", async () => {
      const { store } = await seeded();
      expect(
        (await search(store, "capital", { mode: VectorStoreQueryMode.MMR, similarityTopK: 3 })).ids,
      ).toHaveLength(3);
      await expect(search(store, "capital", { mode: VectorStoreQueryMode.HYBRID })).rejects.toMatchObject({
        code: "UNSUPPORTED",
        message: expect.stringMatching(
          /"hybrid" is not supported: it needs hybrid \(vector \+ full-text\) search/,
        ),
      });
      await expect(search(store, "capital", { mode: VectorStoreQueryMode.SPARSE })).rejects.toThrow(
        /"sparse" is not supported/,
      );
      await expect(search(store, "capital", { mode: VectorStoreQueryMode.SEMANTIC_HYBRID })).rejects.toThrow(
        /hybrid/,
      );
      await expect(search(store, "capital", { mode: VectorStoreQueryMode.SVM })).rejects.toThrow(
        /"svm" is not supported.*default.*mmr/,
      );
    });

    it("rejects invalid input with the path of the problem", async () => {
      const { store } = await open();
      const [node] = await makeNodes([{ id: "x", text: "x" }]);
      const bare = node?.clone();
      if (bare) bare.embedding = undefined;
      await expect(
        store.add([node as NonNullable<typeof node>, bare as NonNullable<typeof bare>]),
      ).rejects.toThrow(/nodes\[1\]\.embedding: node 'x' has no embedding/);
      await expect(store.query({ similarityTopK: 2, mode: VectorStoreQueryMode.DEFAULT })).rejects.toThrow(
        /query\.queryEmbedding/,
      );
      await expect(search(store, "x", { similarityTopK: 0 })).rejects.toThrow(
        /similarityTopK: expected a positive integer/,
      );
      await expect(store.delete("")).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
      await store.add([node as NonNullable<typeof node>]);
      await expect(
        store.query({ queryEmbedding: [1, 0], similarityTopK: 1, mode: VectorStoreQueryMode.DEFAULT }),
      ).rejects.toMatchObject({
        code: "DIMENSION_MISMATCH",
      });
    });

    it("a second store over the same collection sees the nodes, and deletes through it are visible", async () => {
      const fixture = await seeded();
      const again = await fixture.reopen();
      const result = await search(again, "capital of Spain", { similarityTopK: 1 });
      expect(result.ids).toEqual(["es-1"]);
      expect(result.nodes?.[0]?.sourceNode?.nodeId).toBe("doc-es");
      await again.delete("doc-es");
      expect((await search(fixture.store, "capital of Spain")).ids).not.toContain("es-1");
      await again.close();
    });
  });
}
