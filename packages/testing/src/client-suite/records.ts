import type { CairnClient, Collection } from "@cairndb/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { axis, type ClientFactory, expectCode, LetterEmbeddingFunction } from "./harness";

/** Write semantics (add / upsert / update / delete), get, peek, count, and dimension rules. */
export function recordScenarios(factory: ClientFactory): void {
  describe(`${factory.name}: records`, () => {
    let env: Awaited<ReturnType<ClientFactory["create"]>>;
    let client: CairnClient;
    let col: Collection;
    beforeEach(async () => {
      env = await factory.create();
      client = env.client;
      col = await client.createCollection({
        name: "records",
        embeddingFunction: new LetterEmbeddingFunction(3),
      });
    });
    afterEach(async () => env.cleanup());

    const seed = () =>
      col.add({
        ids: ["b", "a", "c"],
        embeddings: [axis(0), axis(1), axis(2)],
        documents: ["hello world", "foo bar", null],
        metadatas: [{ k: "x", n: 2, f: 1.5, t: true }, { k: "y", n: 1 }, null],
        uris: ["u1", null, "u3"],
      });

    it("add then get returns records in insertion order with default include", async () => {
      await seed();
      const r = await col.get();
      expect(r.ids).toEqual(["b", "a", "c"]);
      expect(r.documents).toEqual(["hello world", "foo bar", null]);
      expect(r.metadatas).toEqual([{ k: "x", n: 2, f: 1.5, t: true }, { k: "y", n: 1 }, null]);
      expect(r.embeddings).toEqual([]);
      expect(r.uris).toEqual([]);
      expect(r.include).toEqual(["documents", "metadatas"]);
      const full = await col.get({ ids: ["c", "b", "missing"], include: ["embeddings", "uris"] });
      expect(full.ids).toEqual(["b", "c"]);
      expect(full.embeddings).toEqual([axis(0), axis(2)]);
      expect(full.uris).toEqual(["u1", "u3"]);
      expect(full.rows()).toEqual([
        { id: "b", embedding: axis(0), uri: "u1" },
        { id: "c", embedding: axis(2), uri: "u3" },
      ]);
      expect(await col.count()).toBe(3);
    });

    it("add of an existing id is rejected and writes nothing", async () => {
      await seed();
      const error = await expectCode(
        col.add({ ids: ["new", "a"], embeddings: [axis(0), axis(0)] }),
        "DUPLICATE_ID",
      );
      expect(error.message).toContain('"a"');
      expect(error.message).toContain("upsert");
      expect(await col.count()).toBe(3);
      expect((await col.get({ ids: ["new"] })).ids).toEqual([]);
    });

    it("duplicate ids inside one call are rejected", async () => {
      await expectCode(col.add({ ids: ["z", "z"], embeddings: [axis(0), axis(1)] }), "INVALID_ARGUMENT");
    });

    it("update of a missing id is rejected and writes nothing", async () => {
      await seed();
      await expectCode(col.update({ ids: ["a", "nope"], documents: ["changed", "x"] }), "NOT_FOUND");
      expect((await col.get({ ids: ["a"] })).documents).toEqual(["foo bar"]);
    });

    it("upsert inserts and merges metadata key by key; null deletes a key; omitted fields are kept", async () => {
      await seed();
      await col.upsert({
        ids: ["b", "d"],
        embeddings: [axis(1), axis(0)],
        metadatas: [
          { k: "y2", t: null, extra: [1, 2] },
          { fresh: "yes", gone: null },
        ],
      });
      const r = await col.get({ ids: ["b", "d"], include: ["documents", "metadatas", "embeddings", "uris"] });
      expect(r.ids).toEqual(["b", "d"]);
      expect(r.metadatas).toEqual([{ k: "y2", n: 2, f: 1.5, extra: [1, 2] }, { fresh: "yes" }]);
      expect(r.documents).toEqual(["hello world", null]);
      expect(r.uris).toEqual(["u1", null]);
      expect(r.embeddings[0]).toEqual(axis(1));
    });

    it("update re-embeds documents and keeps position; metadata null keeps the stored map", async () => {
      await seed();
      await col.update({ ids: ["b"], documents: ["ccc"], metadatas: [null] });
      const r = await col.get({ include: ["documents", "metadatas", "embeddings"] });
      expect(r.ids).toEqual(["b", "a", "c"]);
      expect(r.documents[0]).toBe("ccc");
      expect(r.metadatas[0]).toEqual({ k: "x", n: 2, f: 1.5, t: true });
      expect(r.embeddings[0]![2]).toBeCloseTo(3.01, 5);
    });

    it("delete by ids, by where, by whereDocument; limit; missing ids are a no-op", async () => {
      await seed();
      expect(await col.delete({ ids: ["missing"] })).toEqual({ deleted: 0 });
      expect(await col.delete({})).toEqual({ deleted: 0 });
      expect(await col.delete({ where: { k: "y" } })).toEqual({ deleted: 1 });
      expect(await col.delete({ whereDocument: { $contains: "hello" } })).toEqual({ deleted: 1 });
      expect((await col.get()).ids).toEqual(["c"]);
      await col.add({
        ids: ["p", "q", "r"],
        embeddings: [axis(0), axis(1), axis(2)],
        metadatas: [{ g: 1 }, { g: 1 }, { g: 1 }],
      });
      expect(await col.delete({ where: { g: 1 }, limit: 2 })).toEqual({ deleted: 2 });
      expect((await col.get()).ids).toEqual(["c", "r"]);
      await expectCode(col.delete({ ids: ["c"], limit: 1 }), "INVALID_ARGUMENT");
    });

    it("re-adding a deleted id moves it to the end", async () => {
      await seed();
      await col.delete({ ids: ["b"] });
      await col.add({ ids: ["b"], embeddings: [axis(0)] });
      expect((await col.get()).ids).toEqual(["a", "c", "b"]);
    });

    it("limit and offset apply after filters", async () => {
      await seed();
      expect((await col.get({ limit: 0 })).ids).toEqual([]);
      expect((await col.get({ offset: 1 })).ids).toEqual(["a", "c"]);
      expect((await col.get({ offset: 1, limit: 1 })).ids).toEqual(["a"]);
      expect((await col.get({ offset: 10 })).ids).toEqual([]);
      await expectCode(col.get({ limit: -1 }), "INVALID_ARGUMENT");
      expect((await col.peek()).ids).toEqual(["b", "a", "c"]);
      expect((await col.peek({ limit: 1 })).ids).toEqual(["b"]);
    });

    it("the dimension is fixed by the first write, checked everywhere, and sticks after deleting all", async () => {
      await seed();
      expect((await client.getCollection({ name: "records" })).dimension).toBe(3);
      await expectCode(col.add({ ids: ["w"], embeddings: [[1, 2]] }), "DIMENSION_MISMATCH");
      await expectCode(col.upsert({ ids: ["a"], embeddings: [[1, 2]] }), "DIMENSION_MISMATCH");
      await expectCode(col.update({ ids: ["a"], embeddings: [[1, 2]] }), "DIMENSION_MISMATCH");
      const q = await expectCode(col.query({ queryEmbeddings: [[1, 2]] }), "DIMENSION_MISMATCH");
      expect(q.message).toMatch(/3.*2/);
      await col.delete({ ids: ["a", "b", "c"] });
      await expectCode(col.add({ ids: ["w"], embeddings: [[1, 2]] }), "DIMENSION_MISMATCH");
      await expectCode(
        col.add({
          ids: ["v", "w"],
          embeddings: [
            [1, 2, 3],
            [1, 2],
          ],
        }),
        "DIMENSION_MISMATCH",
      );
    });

    it("validates the whole batch before writing anything", async () => {
      const cases: [unknown, string][] = [
        [{ ids: ["a", ""], embeddings: [axis(0), axis(1)] }, "ids[1]"],
        [{ ids: ["a"], embeddings: [[1, Number.NaN, 0]] }, "embeddings[0][1]"],
        [{ ids: ["a", "b"], embeddings: [axis(0)] }, "embeddings"],
        [{ ids: ["a"], embeddings: [axis(0)], metadatas: [{ nested: { x: 1 } }] }, "metadatas[0].nested"],
        [{ ids: ["a"], embeddings: [axis(0)], metadatas: [{ mixed: [1, "x"] }] }, "metadatas[0].mixed[1]"],
        [{ ids: ["a"], embeddings: [axis(0)], metadatas: [{ empty: [] }] }, "metadatas[0].empty"],
        [{ ids: ["a"], embeddings: [axis(0)], metadatas: [{ k: null }] }, "metadatas[0].k"],
        [{ ids: ["a"], embeddings: [axis(0)], metadatas: [{ $bad: 1 }] }, "metadatas[0].$bad"],
        [{ ids: ["a"], embeddings: [axis(0)], documents: [5] }, "documents[0]"],
        [{ ids: ["a"] }, "add"],
      ];
      for (const [input, path] of cases) {
        const error = await expectCode(col.add(input as never), "INVALID_ARGUMENT");
        expect(error.message.startsWith(path), `${error.message} should start with ${path}`).toBe(true);
      }
      expect(await col.count()).toBe(0);
    });

    it("accepts unicode, SQL-looking and prototype-named ids and keys verbatim", async () => {
      const ids = ["é/ü?#", "'; DROP TABLE records; --", "__proto__", " "];
      await col.add({
        ids,
        embeddings: ids.map((_, i) => axis(i % 3)),
        metadatas: [JSON.parse('{"__proto__": "p"}'), { constructor: "c" }, { "a.b": 1 }, { "x'y": 'z"w' }],
      });
      const r = await col.get({ ids });
      expect(r.ids).toEqual(ids);
      expect(Object.keys(r.metadatas[0]!)).toEqual(["__proto__"]);
      expect(({} as Record<string, unknown>).p).toBeUndefined();
      expect((await col.get({ where: { "x'y": 'z"w' } })).ids).toEqual([" "]);
    });

    it("embeds documents with the collection's embedding function", async () => {
      await col.add({ ids: ["t1", "t2"], documents: ["aaa", "ccc"] });
      const r = await col.get({ include: ["embeddings"] });
      expect(r.embeddings[0]![0]).toBeCloseTo(3.01, 5);
      expect(r.embeddings[1]![2]).toBeCloseTo(3.01, 5);
    });
  });
}
