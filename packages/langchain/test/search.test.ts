/**
 * Search semantics: MMR diversity, every `where` / `whereDocument` operator passed through unchanged, and the
 * direction of scores in each distance space.
 */
import { type Space, toSimilarity, type Where, type WhereDocument } from "@cairndb/core";
import { Document } from "@langchain/core/documents";
import { afterEach, describe, expect, it } from "vitest";
import { CairnVectorStore } from "../src";
import { angle, TableEmbeddings, uniqueName, WordEmbeddings } from "./helpers";

const stores: CairnVectorStore[] = [];
afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()));
});
function track(store: CairnVectorStore): CairnVectorStore {
  stores.push(store);
  return store;
}

describe("maxMarginalRelevanceSearch", () => {
  // Three copies of the closest vector (20° from the query), two slightly less relevant ones (30°) pointing
  // elsewhere, and one far away.
  const rad = (d: number) => (d * Math.PI) / 180;
  const table = {
    query: angle(0),
    dup: angle(20),
    other1: angle(-30),
    other2: [Math.cos(rad(30)), 0, Math.sin(rad(30))],
    far: angle(170),
  };
  const texts = ["dup", "dup", "dup", "other1", "other2", "far"];
  const ids = ["dup1", "dup2", "dup3", "o1", "o2", "far"];

  async function corpus(): Promise<CairnVectorStore> {
    const store = track(
      new CairnVectorStore(new TableEmbeddings(table), { collectionName: uniqueName("mmr") }),
    );
    await store.addDocuments(
      texts.map((t, i) => new Document({ pageContent: t, metadata: { group: i < 3 ? "dup" : "other" } })),
      { ids },
    );
    return store;
  }

  it("does not return all the duplicates, unlike plain similarity search", async () => {
    const store = await corpus();
    const plain = await store.similaritySearch("query", 3);
    expect(plain.map((d) => d.pageContent)).toEqual(["dup", "dup", "dup"]);
    const mmr = await store.maxMarginalRelevanceSearch("query", { k: 3, fetchK: 6 }, undefined);
    expect(mmr).toHaveLength(3);
    expect(mmr.filter((d) => d.pageContent === "dup")).toHaveLength(1);
    expect(mmr.map((d) => d.pageContent).sort()).toEqual(["dup", "other1", "other2"]);
    expect(mmr.every((d) => ids.includes(d.id as string))).toBe(true);
  });

  it("lambda 1 is pure relevance; fetchK bounds the candidates; filters apply", async () => {
    const store = await corpus();
    const relevance = await store.maxMarginalRelevanceSearch("query", { k: 3, lambda: 1 }, undefined);
    expect(relevance.map((d) => d.pageContent)).toEqual(["dup", "dup", "dup"]);
    const narrow = await store.maxMarginalRelevanceSearch("query", { k: 3, fetchK: 3 }, undefined);
    expect(narrow.map((d) => d.pageContent)).toEqual(["dup", "dup", "dup"]);
    const filtered = await store.maxMarginalRelevanceSearch(
      "query",
      { k: 3, filter: { group: "other" } },
      undefined,
    );
    expect(filtered.map((d) => d.id).sort()).toEqual(["far", "o1", "o2"]);
    const byText = await store.maxMarginalRelevanceSearch(
      "query",
      { k: 3, whereDocument: { $contains: "other" } },
      undefined,
    );
    expect(byText.map((d) => d.id).sort()).toEqual(["o1", "o2"]);
  });

  it("is what asRetriever({ searchType: 'mmr' }) uses", async () => {
    const store = await corpus();
    const retriever = store.asRetriever({
      k: 3,
      searchType: "mmr",
      searchKwargs: { fetchK: 6, lambda: 0.5 },
    });
    expect(retriever.tags).toContain("cairn");
    const docs = await retriever.invoke("query");
    expect(docs.filter((d) => d.pageContent === "dup")).toHaveLength(1);
  });

  it("returns [] on an empty store", async () => {
    const store = track(
      new CairnVectorStore(new TableEmbeddings(table), { collectionName: uniqueName("mmr") }),
    );
    expect(await store.maxMarginalRelevanceSearch("query", { k: 3 }, undefined)).toEqual([]);
  });
});

describe("filters pass through unchanged", () => {
  const records = [
    {
      id: "r1",
      text: "Refunds reach your card in 5 days",
      meta: {
        type: "faq",
        year: 2020,
        rating: 4.5,
        tags: ["money", "card"],
        draft: false,
        loc: { lines: { from: 1 } },
      },
    },
    {
      id: "r2",
      text: "How we pack products for shipping",
      meta: {
        type: "blog",
        year: 2021,
        rating: 3,
        tags: ["shipping"],
        draft: true,
        loc: { lines: { from: 10 } },
      },
    },
    {
      id: "r3",
      text: "Gift cards cannot be returned",
      meta: { type: "faq", year: 2022, tags: ["gift", "card"], title: "Gift card policy" },
    },
    {
      id: "r4",
      text: "Return a product within 30 days",
      meta: { type: "guide", year: 2023, rating: 5, draft: false },
    },
  ];
  const cases: [string, Where, string[]][] = [
    ["implicit $eq", { type: "faq" }, ["r1", "r3"]],
    ["$eq", { year: { $eq: 2021 } }, ["r2"]],
    ["$ne", { type: { $ne: "faq" } }, ["r2", "r4"]],
    ["$gt", { year: { $gt: 2021 } }, ["r3", "r4"]],
    ["$gte", { year: { $gte: 2021 } }, ["r2", "r3", "r4"]],
    ["$lt", { rating: { $lt: 4.5 } }, ["r2"]],
    ["$lte", { rating: { $lte: 4.5 } }, ["r1", "r2"]],
    ["$in", { type: { $in: ["blog", "guide"] } }, ["r2", "r4"]],
    ["$nin", { type: { $nin: ["blog", "guide"] } }, ["r1", "r3"]],
    ["$contains (array membership)", { tags: { $contains: "card" } }, ["r1", "r3"]],
    ["$not_contains", { tags: { $not_contains: "card" } }, ["r2", "r4"]],
    ["$text_contains", { title: { $text_contains: "card" } }, ["r3"]],
    ["$exists true", { rating: { $exists: true } }, ["r1", "r2", "r4"]],
    ["$exists false", { rating: { $exists: false } }, ["r3"]],
    ["boolean $eq", { draft: false }, ["r1", "r4"]],
    ["dotted key into nested metadata", { "loc.lines.from": { $gte: 5 } }, ["r2"]],
    ["$and", { $and: [{ type: "faq" }, { year: { $gt: 2020 } }] }, ["r3"]],
    ["$or", { $or: [{ type: "blog" }, { rating: { $gte: 5 } }] }, ["r2", "r4"]],
    [
      "nested $and / $or",
      { $and: [{ $or: [{ type: "faq" }, { type: "guide" }] }, { draft: { $ne: true } }] },
      ["r1", "r3", "r4"],
    ],
  ];
  const documentCases: [string, WhereDocument, string[]][] = [
    ["$contains", { $contains: "card" }, ["r1", "r3"]],
    ["$not_contains", { $not_contains: "card" }, ["r2", "r4"]],
    ["$regex", { $regex: "(?i)^re" }, ["r1", "r4"]],
    ["$not_regex", { $not_regex: "days$" }, ["r2", "r3"]],
    ["$and", { $and: [{ $contains: "days" }, { $not_contains: "Refunds" }] }, ["r4"]],
    ["$or", { $or: [{ $contains: "Gift" }, { $contains: "pack" }] }, ["r2", "r3"]],
  ];

  async function corpus(): Promise<CairnVectorStore> {
    const store = track(
      new CairnVectorStore(new WordEmbeddings(), { collectionName: uniqueName("filters") }),
    );
    await store.addDocuments(
      records.map((r) => new Document({ pageContent: r.text, metadata: r.meta })),
      { ids: records.map((r) => r.id) },
    );
    return store;
  }

  it.each(cases)("where %s", async (_name, where, expected) => {
    const store = await corpus();
    expect((await store.similaritySearch("card", 10, where)).map((d) => d.id).sort()).toEqual(expected);
    expect((await store.search("card", { k: 10, filter: where })).map(([d]) => d.id).sort()).toEqual(
      expected,
    );
    await store.delete({ filter: where });
    expect((await store.getByIds(records.map((r) => r.id))).map((d) => d.id).sort()).toEqual(
      records.map((r) => r.id).filter((id) => !expected.includes(id)),
    );
  });

  it.each(documentCases)("whereDocument %s", async (_name, whereDocument, expected) => {
    const store = await corpus();
    const hits = await store.search("card", { k: 10, whereDocument });
    expect(hits.map(([d]) => d.id).sort()).toEqual(expected);
    const both = await store.search("card", { k: 10, whereDocument, filter: { type: "faq" } });
    expect(both.map(([d]) => d.id).sort()).toEqual(expected.filter((id) => ["r1", "r3"].includes(id)));
  });

  it("an invalid filter fails with Cairn's INVALID_FILTER and its JSON path", async () => {
    const store = await corpus();
    await expect(
      store.similaritySearch("card", 2, { year: { $gt: "2020" } } as unknown as Where),
    ).rejects.toMatchObject({
      code: "INVALID_FILTER",
      message: expect.stringContaining("where.year"),
    });
  });
});

describe("scores", () => {
  const spaces: Space[] = ["l2", "cosine", "ip"];
  const query = angle(0);
  const vectors = { near: angle(15), middle: angle(60), far: angle(150) };

  async function corpus(space: Space, score?: "similarity" | "distance"): Promise<CairnVectorStore> {
    const store = track(
      new CairnVectorStore(new TableEmbeddings({}), {
        collectionName: uniqueName(space),
        configuration: { hnsw: { space } },
        ...(score ? { score } : {}),
      }),
    );
    const ids = Object.keys(vectors);
    // Inserted far-first, so insertion order cannot pass for ranking.
    await store.addVectors(
      ids.reverse().map((id) => vectors[id as keyof typeof vectors]),
      ids.map((id) => new Document({ pageContent: id })),
      { ids },
    );
    return store;
  }

  it.each(spaces)("%s: the nearest document has the highest similarity", async (space) => {
    const store = await corpus(space);
    expect((await store.getCollection()).configuration.hnsw.space).toBe(space);
    const hits = await store.similaritySearchVectorWithScore(query, 3);
    expect(hits.map(([d]) => d.id)).toEqual(["near", "middle", "far"]);
    const scores = hits.map(([, s]) => s);
    expect(scores[0]).toBeGreaterThan(scores[1] as number);
    expect(scores[1]).toBeGreaterThan(scores[2] as number);
    const raw = await store.similaritySearchVectorWithScore(query, 3, undefined, { score: "distance" });
    expect(raw.map(([d]) => d.id)).toEqual(["near", "middle", "far"]);
    raw.forEach(([, distance], i) => {
      expect(scores[i]).toBeCloseTo(toSimilarity(space, distance), 6);
    });
    expect(raw[0]?.[1]).toBeLessThan(raw[2]?.[1] as number);
  });

  it("score: 'distance' on the store reports raw distances everywhere (l2 is squared)", async () => {
    const store = await corpus("l2", "distance");
    const hits = await store.similaritySearchVectorWithScore(query, 1);
    const expected = (1 - Math.cos((15 * Math.PI) / 180)) * 2; // |a-b|² of two unit vectors
    expect(hits[0]?.[1]).toBeCloseTo(expected, 5);
    const similarity = await store.search(query, { k: 1, score: "similarity" });
    expect(similarity[0]?.[1]).toBeCloseTo(1 / (1 + expected), 5);
    await expect(store.search(query, { k: 1, score: "relevance" as "distance" })).rejects.toMatchObject({
      code: "INVALID_ARGUMENT",
    });
  });

  it("k = 0 returns nothing and k beyond the count returns everything", async () => {
    const store = await corpus("cosine");
    expect(await store.similaritySearchVectorWithScore(query, 0)).toEqual([]);
    expect(await store.similaritySearchVectorWithScore(query, 50)).toHaveLength(3);
    await expect(store.similaritySearchVectorWithScore(query, -1)).rejects.toMatchObject({
      code: "INVALID_ARGUMENT",
    });
  });
});
