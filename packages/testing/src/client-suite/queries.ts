import type { CairnClient, Collection, Space } from "@cairndb/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type ClientFactory, expectCode } from "./harness";

const POINTS: Record<string, number[]> = { a: [1, 0], b: [0, 1], c: [3, 4], d: [-2, 0], e: [0.6, 0.8] };
/** Chroma's measured distances for query [2, 1] (chroma-compat §3.1), ascending. */
const EXPECTED: Record<Space, [string, number][]> = {
  l2: [
    ["e", 2],
    ["a", 2],
    ["b", 4],
    ["c", 10],
    ["d", 17],
  ],
  cosine: [
    ["a", 0.10557282],
    ["c", 0.10557282],
    ["e", 0.10557282],
    ["b", 0.5527864],
    ["d", 1.8944272],
  ],
  ip: [
    ["c", -9],
    ["a", -1],
    ["e", -1],
    ["b", 0],
    ["d", 5],
  ],
};

/** Query behaviour: distances per space, batches, filters, include, n_results edge cases. */
export function queryScenarios(factory: ClientFactory): void {
  describe(`${factory.name}: query`, () => {
    let env: Awaited<ReturnType<ClientFactory["create"]>>;
    let client: CairnClient;
    beforeEach(async () => {
      env = await factory.create();
      client = env.client;
    });
    afterEach(async () => env.cleanup());

    const make = async (space: Space): Promise<Collection> => {
      const col = await client.createCollection({
        name: `q-${space}`,
        configuration: { hnsw: { space } },
        embeddingFunction: null,
      });
      const ids = Object.keys(POINTS);
      await col.add({
        ids,
        embeddings: ids.map((id) => POINTS[id]!),
        metadatas: ids.map((id, i) => ({ id, i })),
      });
      return col;
    };

    for (const space of ["l2", "cosine", "ip"] as Space[]) {
      it(`distances in ${space} match Chroma's (float32, ascending)`, async () => {
        const col = await make(space);
        const r = await col.query({ queryEmbeddings: [[2, 1]], nResults: 5, include: ["distances"] });
        const got = r.ids[0]!.map((id, i) => [id, r.distances[0]![i]!] as const);
        const sortedDistances = got.map(([, d]) => d);
        expect([...sortedDistances].sort((x, y) => x - y)).toEqual(sortedDistances);
        for (const [id, d] of got) {
          const expected = EXPECTED[space].find(([eid]) => eid === id)![1];
          expect(d).toBeCloseTo(expected, 5);
        }
        expect(new Set(r.ids[0])).toEqual(new Set(Object.keys(POINTS)));
      });
    }

    it("returns one row per query vector, nearest first, with the default include", async () => {
      const col = await make("l2");
      const r = await col.query({
        queryEmbeddings: [
          [1, 0],
          [0, 1],
        ],
        nResults: 2,
      });
      expect(r.ids.map((row) => row[0])).toEqual(["a", "b"]);
      expect(r.include).toEqual(["metadatas", "documents", "distances"]);
      expect(r.metadatas[0]![0]).toEqual({ id: "a", i: 0 });
      expect(r.embeddings).toEqual([]);
      const rows = r.rows();
      expect(rows).toHaveLength(2);
      expect(rows[0]![0]).toMatchObject({
        id: "a",
        distance: 0,
        metadata: { id: "a", i: 0 },
        document: null,
      });
    });

    it("n_results larger than the matches, zero, an empty collection, and include []", async () => {
      const empty = await client.createCollection({ name: "q-empty", embeddingFunction: null });
      expect((await empty.query({ queryEmbeddings: [[1, 0]] })).ids).toEqual([[]]);
      const col = await make("l2");
      expect((await col.query({ queryEmbeddings: [[1, 0]], nResults: 50 })).ids[0]).toHaveLength(5);
      expect((await col.query({ queryEmbeddings: [[1, 0]], nResults: 0 })).ids).toEqual([[]]);
      const bare = await col.query({ queryEmbeddings: [[1, 0]], nResults: 1, include: [] });
      expect(bare.ids).toEqual([["a"]]);
      expect(bare.distances).toEqual([]);
      expect(bare.documents).toEqual([]);
    });

    it("filters restrict candidates: where, whereDocument, ids (unknown ids are fine)", async () => {
      const col = await make("l2");
      await col.update({
        ids: ["a", "c"],
        embeddings: [POINTS.a!, POINTS.c!],
        documents: ["alpha doc", "gamma doc"],
      });
      const byWhere = await col.query({ queryEmbeddings: [[1, 0]], where: { i: { $gte: 2 } } });
      expect(byWhere.ids[0]!.sort()).toEqual(["c", "d", "e"]);
      const byDoc = await col.query({ queryEmbeddings: [[1, 0]], whereDocument: { $contains: "doc" } });
      expect(byDoc.ids[0]).toEqual(["a", "c"]);
      const byIds = await col.query({ queryEmbeddings: [[1, 0]], ids: ["d", "nope", "b"] });
      expect(byIds.ids[0]).toEqual(["b", "d"]);
      const none = await col.query({ queryEmbeddings: [[1, 0]], where: { id: "zzz" } });
      expect(none.ids).toEqual([[]]);
    });

    it("queryTexts are embedded; giving both or neither is an error", async () => {
      const col = await make("l2");
      await expectCode(col.query({}), "INVALID_ARGUMENT");
      await expectCode(col.query({ queryEmbeddings: [[1, 0]], queryTexts: ["x"] }), "INVALID_ARGUMENT");
      await expectCode(
        col.query({ queryEmbeddings: [[1, 0]], include: ["bogus" as never] }),
        "INVALID_ARGUMENT",
      );
      await expectCode(col.get({ include: ["distances" as never] }), "INVALID_ARGUMENT");
    });

    it("deleted and updated vectors are reflected in queries at once", async () => {
      const col = await make("l2");
      await col.delete({ ids: ["a"] });
      expect((await col.query({ queryEmbeddings: [[1, 0]], nResults: 1 })).ids).toEqual([["e"]]);
      await col.update({ ids: ["d"], embeddings: [[1, 0]] });
      const r = await col.query({ queryEmbeddings: [[1, 0]], nResults: 1 });
      expect(r.ids).toEqual([["d"]]);
      expect(r.distances[0]![0]).toBeCloseTo(0, 6);
    });
  });
}
