import type { CairnClient, Collection, Metadata, Where, WhereDocument } from "@cairndb/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ClientFactory, expectCode } from "./harness";

const RECORDS: { id: string; doc: string | null; meta: Metadata | null }[] = [
  {
    id: "r1",
    doc: "The quick brown fox",
    meta: { s: "apple", i: 1, f: 1.5, b: true, tags: ["red", "fruit"], nums: [1, 2] },
  },
  {
    id: "r2",
    doc: "jumps over the lazy dog",
    meta: { s: "banana", i: 2, f: 2.0, b: false, tags: ["yellow", "fruit"] },
  },
  { id: "r3", doc: "Lorem ipsum", meta: { s: "cherry", i: 3, f: 3.25 } },
  { id: "r4", doc: null, meta: { s: "date", i: 10, b: true } },
  { id: "r5", doc: "UPPER case FOX", meta: null },
];

/** Every `where` and `whereDocument` operator with Chroma's semantics (chroma-compat §1.7–1.8). */
export function filterScenarios(factory: ClientFactory): void {
  describe(`${factory.name}: filters`, () => {
    let env: Awaited<ReturnType<ClientFactory["create"]>>;
    let client: CairnClient;
    let col: Collection;
    beforeAll(async () => {
      env = await factory.create();
      client = env.client;
      col = await client.createCollection({ name: "filters", embeddingFunction: null });
      await col.add({
        ids: RECORDS.map((r) => r.id),
        embeddings: RECORDS.map((_, i) => [i, 1]),
        documents: RECORDS.map((r) => r.doc),
        metadatas: RECORDS.map((r) => r.meta),
      });
    });
    afterAll(async () => env.cleanup());

    const where = async (w: Where) => (await col.get({ where: w })).ids;
    const doc = async (w: WhereDocument) => (await col.get({ whereDocument: w })).ids;

    const cases: [string, Where, string[]][] = [
      ["implicit $eq string", { s: "apple" }, ["r1"]],
      ["$eq int matches float-equal", { f: { $eq: 2 } }, ["r2"]],
      ["$eq bool", { b: true }, ["r1", "r4"]],
      ["$eq type mismatch matches nothing", { i: { $eq: "1" } }, []],
      ["$ne includes records without the key", { b: { $ne: true } }, ["r2", "r3", "r5"]],
      ["$gt", { i: { $gt: 2 } }, ["r3", "r4"]],
      ["$gte with a float on ints (no truncation)", { i: { $gte: 2.5 } }, ["r3", "r4"]],
      ["$lt", { f: { $lt: 2 } }, ["r1"]],
      ["$lte", { f: { $lte: 2 } }, ["r1", "r2"]],
      ["$in", { s: { $in: ["apple", "date", "zzz"] } }, ["r1", "r4"]],
      ["$nin includes records without the key", { s: { $nin: ["apple", "banana"] } }, ["r3", "r4", "r5"]],
      ["$contains on arrays", { tags: { $contains: "fruit" } }, ["r1", "r2"]],
      ["$contains number on arrays", { nums: { $contains: 2 } }, ["r1"]],
      ["$not_contains", { tags: { $not_contains: "red" } }, ["r2", "r3", "r4", "r5"]],
      ["$text_contains", { s: { $text_contains: "an" } }, ["r2"]],
      ["$exists true", { tags: { $exists: true } }, ["r1", "r2"]],
      ["$exists false", { f: { $exists: false } }, ["r4", "r5"]],
      ["$and", { $and: [{ b: true }, { i: { $lt: 5 } }] }, ["r1"]],
      ["$or", { $or: [{ s: "cherry" }, { i: 10 }] }, ["r3", "r4"]],
      ["nested", { $or: [{ $and: [{ b: true }, { i: 1 }] }, { s: "banana" }] }, ["r1", "r2"]],
      ["$and [] matches all", { $and: [] }, ["r1", "r2", "r3", "r4", "r5"]],
      ["$or [] matches none", { $or: [] }, []],
    ];
    for (const [name, w, expected] of cases) {
      it(`where ${name}`, async () => {
        expect(await where(w)).toEqual(expected);
      });
    }

    const docCases: [string, WhereDocument, string[]][] = [
      ["$contains is case-sensitive", { $contains: "fox" }, ["r1"]],
      ["$contains short text", { $contains: "x" }, ["r1"]],
      ["$contains '' matches every document", { $contains: "" }, ["r1", "r2", "r3", "r5"]],
      [
        "$not_contains includes records without a document",
        { $not_contains: "fox" },
        ["r2", "r3", "r4", "r5"],
      ],
      ["$regex", { $regex: "^[A-Z]" }, ["r1", "r3", "r5"]],
      ["$regex case-insensitive flag", { $regex: "(?i)fox" }, ["r1", "r5"]],
      ["$not_regex", { $not_regex: "o" }, ["r4", "r5"]],
      ["$and", { $and: [{ $contains: "o" }, { $not_contains: "dog" }] }, ["r1", "r3"]],
      ["$or", { $or: [{ $contains: "ipsum" }, { $contains: "FOX" }] }, ["r3", "r5"]],
    ];
    for (const [name, w, expected] of docCases) {
      it(`whereDocument ${name}`, async () => {
        expect(await doc(w)).toEqual(expected);
      });
    }

    it("where and whereDocument and ids are ANDed", async () => {
      const r = await col.get({
        ids: ["r1", "r2", "r5"],
        where: { tags: { $contains: "fruit" } },
        whereDocument: { $contains: "o" },
      });
      expect(r.ids).toEqual(["r1", "r2"]);
    });

    it("a regex bomb runs in linear time", async () => {
      expect(await doc({ $regex: "(a+)+$" })).toEqual([]);
    });

    it("invalid filters are rejected with INVALID_FILTER and a path", async () => {
      const bad: unknown[] = [
        {},
        { a: 1, b: 2 },
        { i: { $gt: "x" } },
        { i: { $in: [] } },
        { i: { $in: [1, "a"] } },
        { a: null },
        { a: [1] },
        { $foo: 1 },
        { i: { $gt: 1, $lt: 3 } },
      ];
      for (const w of bad) {
        const error = await expectCode(col.get({ where: w as Where }), "INVALID_FILTER");
        expect(error.message.startsWith("where")).toBe(true);
      }
      await expectCode(col.get({ whereDocument: { $regex: "(" } }), "INVALID_FILTER");
      await expectCode(col.get({ whereDocument: { $matches: "x" } as never }), "INVALID_FILTER");
      await expectCode(col.get({ whereDocument: { $contains: 1 } as never }), "INVALID_FILTER");
    });

    it("$in with 40,000 values and a get matching 40,000 records (no SQL variable limit)", async () => {
      const big = await client.createCollection({ name: "filters-big", embeddingFunction: null });
      const n = 40_000;
      const ids = Array.from({ length: n }, (_, i) => `id${i}`);
      for (let start = 0; start < n; start += 5000) {
        const slice = ids.slice(start, start + 5000);
        await big.add({
          ids: slice,
          embeddings: slice.map((_, i) => [i % 7, 1]),
          metadatas: slice.map((_, i) => ({ n: start + i })),
        });
      }
      const r = await big.get({ where: { n: { $in: Array.from({ length: n }, (_, i) => i) } }, include: [] });
      expect(r.ids).toHaveLength(n);
      expect((await big.get({ ids, include: [] })).ids).toHaveLength(n);
      expect(await big.delete({ ids })).toEqual({ deleted: n });
    });
  });
}
