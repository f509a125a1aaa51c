/**
 * MMR as LlamaIndex defines it: the pure selection, and the store's `mode: VectorStoreQueryMode.MMR` against SimpleVectorStore's.
 */
import { getTopKMMREmbeddings } from "@llamaindex/core/embeddings";
import { VectorStoreQueryMode } from "@llamaindex/core/vector-store";
import { SimpleVectorStore } from "llamaindex";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CairnVectorStore, selectMmr } from "../src";
import { embedModel, makeNodes, uniqueName } from "./helpers/nodes";

describe("selectMmr", () => {
  const query = [1, 0.2, 0.1];
  // 0 and 1 are near-duplicates close to the query; 2 is relevant, 3 and 4 are not.
  const candidates = [
    [1, 0.25, 0],
    [0.98, 0.3, 0.05],
    [0.6, -0.2, 0.77],
    [0, 0, 1],
    [-0.2, 1, 0],
  ];

  it("λ = 1 is plain relevance order; lower λ trades relevance for diversity", () => {
    expect(selectMmr(query, candidates, 3, 1)).toEqual([0, 1, 2]);
    // As in LlamaIndex, only the most recent pick is penalised: after 3, the near-duplicate 1 is back.
    expect(selectMmr(query, candidates, 3, 0.5)).toEqual([0, 3, 1]);
    expect(selectMmr(query, candidates, 3)).toEqual([0, 3, 1]);
  });

  it("λ = 0 means diversity only (LlamaIndex's `mmrThreshold || 0.5` reads it as 0.5)", () => {
    expect(selectMmr(query, candidates, 3, 0)).toEqual([0, 3, 4]);
    const [, llamaIndex] = getTopKMMREmbeddings(query, candidates, null, 3, [0, 1, 2, 3, 4], null, 0);
    expect(llamaIndex).toEqual([0, 3, 1]);
  });

  it.each([0.0001, 0.1, 0.3, 0.5, 0.7, 0.9, 1])(
    "picks what LlamaIndex's getTopKMMREmbeddings picks (λ = %s)",
    (lambda) => {
      const ids = candidates.map((_, i) => i);
      const [, expected] = getTopKMMREmbeddings(query, candidates, null, 4, ids, null, lambda);
      expect(selectMmr(query, candidates, 4, lambda)).toEqual(expected);
    },
  );

  it("stops at the number of candidates", () => {
    expect(selectMmr(query, candidates.slice(0, 2), 5)).toEqual([0, 1]);
    expect(selectMmr(query, [], 3)).toEqual([]);
  });
});

describe("query({ mode: VectorStoreQueryMode.MMR }) against SimpleVectorStore", () => {
  const texts = [
    "Paris is the capital of France",
    "Paris is the capital of France and its largest city",
    "The capital of France is Paris",
    "Berlin is the capital of Germany",
    "French cheese and French wine",
    "Paris hosts the Louvre museum",
    "Tax on capital gains",
  ];
  let reference: SimpleVectorStore;
  let cairn: CairnVectorStore;
  let queryEmbedding: number[];

  beforeAll(async () => {
    const specs = texts.map((text, i) => ({ id: `m${i}`, text }));
    reference = new SimpleVectorStore({ embedModel });
    cairn = new CairnVectorStore({ collectionName: uniqueName("mmr"), embedModel });
    await reference.add(await makeNodes(specs));
    await cairn.add(await makeNodes(specs));
    queryEmbedding = await embedModel.getTextEmbedding("Paris, capital of France");
  });
  afterAll(() => cairn.close());

  it.each([undefined, 0.5])(
    "same ids in the same order as SimpleVectorStore (mmrThreshold %s)",
    async (mmrThreshold) => {
      const query = { queryEmbedding, similarityTopK: 4, mode: VectorStoreQueryMode.MMR, mmrThreshold };
      const expected = await reference.query(query);
      const actual = await cairn.query(query);
      expect(actual.ids).toEqual(expected.ids);
      expect(actual.nodes?.map((n) => n.id_)).toEqual(actual.ids);
    },
  );

  it("SimpleVectorStore bug: it ignores mmrThreshold (passed in getTopKMMREmbeddings' similarityCutoff slot)", async () => {
    const at = (mmrThreshold: number) =>
      reference.query({ queryEmbedding, similarityTopK: 4, mode: VectorStoreQueryMode.MMR, mmrThreshold });
    expect((await at(0.2)).ids).toEqual((await at(0.5)).ids);
    expect((await at(1)).ids).toEqual((await at(0.5)).ids);
  });

  it.each([0.2, 0.8, 1])(
    "other thresholds pick what getTopKMMREmbeddings picks on the same vectors (%s)",
    async (lambda) => {
      const nodes = await makeNodes(texts.map((text, i) => ({ id: `m${i}`, text })));
      const [, expected] = getTopKMMREmbeddings(
        queryEmbedding,
        nodes.map((n) => n.embedding as number[]),
        null,
        4,
        nodes.map((n) => n.id_),
        null,
        lambda,
      );
      const actual = await cairn.query({
        queryEmbedding,
        similarityTopK: 4,
        mode: VectorStoreQueryMode.MMR,
        mmrThreshold: lambda,
      });
      expect(actual.ids).toEqual(expected);
    },
  );

  it("diversifies: a lower threshold skips the near-duplicates that plain similarity returns", async () => {
    const duplicates = ["m0", "m1", "m2"];
    const plain = await cairn.query({
      queryEmbedding,
      similarityTopK: 3,
      mode: VectorStoreQueryMode.DEFAULT,
    });
    const diverse = await cairn.query({
      queryEmbedding,
      similarityTopK: 3,
      mode: VectorStoreQueryMode.MMR,
      mmrThreshold: 0.2,
    });
    expect([...plain.ids].sort()).toEqual(duplicates);
    expect(diverse.ids[0]).toBe(plain.ids[0]);
    expect(diverse.ids.filter((id) => duplicates.includes(id)).length).toBeLessThan(3);
  });

  it("reports each node's similarity (toSimilarity), not LlamaIndex's MMR score", async () => {
    const plain = await cairn.query({
      queryEmbedding,
      similarityTopK: texts.length,
      mode: VectorStoreQueryMode.DEFAULT,
    });
    const byId = new Map(plain.ids.map((id, i) => [id, plain.similarities[i] as number]));
    const diverse = await cairn.query({ queryEmbedding, similarityTopK: 3, mode: VectorStoreQueryMode.MMR });
    diverse.ids.forEach((id, i) => {
      expect(diverse.similarities[i]).toBeCloseTo(byId.get(id) as number, 6);
    });
    // SimpleVectorStore reports the MMR score: λ × similarity for the first pick.
    const simple = await reference.query({
      queryEmbedding,
      similarityTopK: 3,
      mode: VectorStoreQueryMode.MMR,
    });
    expect(simple.similarities[0]).toBeCloseTo((byId.get(diverse.ids[0] as string) as number) * 0.5, 6);
  });

  it("re-ranks only the mmrPrefetchK nearest, and checks its arguments", async () => {
    const narrow = await cairn.query({
      queryEmbedding,
      similarityTopK: 2,
      mode: VectorStoreQueryMode.MMR,
      mmrThreshold: 0,
      customParams: { mmrPrefetchK: 2 },
    });
    const plain = await cairn.query({
      queryEmbedding,
      similarityTopK: 2,
      mode: VectorStoreQueryMode.DEFAULT,
    });
    expect([...narrow.ids].sort()).toEqual([...plain.ids].sort());
    await expect(
      cairn.query({
        queryEmbedding,
        similarityTopK: 3,
        mode: VectorStoreQueryMode.MMR,
        customParams: { mmrPrefetchK: 2 },
      }),
    ).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    await expect(
      cairn.query({ queryEmbedding, similarityTopK: 3, mode: VectorStoreQueryMode.MMR, mmrThreshold: 1.5 }),
    ).rejects.toThrow(/mmrThreshold: expected a number from 0 to 1/);
  });
});
