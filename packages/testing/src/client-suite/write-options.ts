import type { CairnClient, Collection } from "@cairndb/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { axis, type ClientFactory, expectCode, LetterEmbeddingFunction } from "./harness";

/**
 * The write options: `add(…, { onDuplicate })`, `upsert(…, { metadata: "replace" })` and `update` with `null`
 * embeddings. Each is one atomic write: a batch with one bad record writes nothing.
 */
export function writeOptionScenarios(factory: ClientFactory): void {
  describe(`${factory.name}: write options`, () => {
    let env: Awaited<ReturnType<ClientFactory["create"]>>;
    let client: CairnClient;
    let col: Collection;
    beforeEach(async () => {
      env = await factory.create();
      client = env.client;
      col = await client.createCollection({
        name: "write-options",
        embeddingFunction: new LetterEmbeddingFunction(3),
      });
      await col.add({
        ids: ["a", "b"],
        embeddings: [axis(0), axis(1)],
        documents: ["first", "second"],
        metadatas: [
          { k: "a", n: 1 },
          { k: "b", n: 2, keep: true },
        ],
        uris: ["ua", null],
      });
    });
    afterEach(async () => env.cleanup());

    const all = () => col.get({ include: ["documents", "metadatas", "embeddings", "uris"] });

    it("add with onDuplicate 'ignore' skips existing ids untouched and writes the new ones", async () => {
      await col.add(
        {
          ids: ["a", "c"],
          embeddings: [axis(2), axis(2)],
          documents: ["changed", "third"],
          metadatas: [{ x: 1 }, { x: 3 }],
        },
        { onDuplicate: "ignore" },
      );
      const r = await all();
      expect(r.ids).toEqual(["a", "b", "c"]);
      expect(r.documents).toEqual(["first", "second", "third"]);
      expect(r.metadatas).toEqual([{ k: "a", n: 1 }, { k: "b", n: 2, keep: true }, { x: 3 }]);
      expect(r.embeddings[0]).toEqual(axis(0));
      // Only existing ids: nothing changes, no error.
      await col.add({ ids: ["a", "b"], embeddings: [axis(2), axis(2)] }, { onDuplicate: "ignore" });
      expect(await col.count()).toBe(3);
      const hit = await col.query({ queryEmbeddings: [axis(0)], nResults: 1, include: [] });
      expect(hit.ids).toEqual([["a"]]);
    });

    it("add defaults to onDuplicate 'error': DUPLICATE_ID and nothing written", async () => {
      await expectCode(col.add({ ids: ["c", "a"], embeddings: [axis(2), axis(2)] }), "DUPLICATE_ID");
      await expectCode(
        col.add({ ids: ["c", "a"], embeddings: [axis(2), axis(2)] }, { onDuplicate: "error" }),
        "DUPLICATE_ID",
      );
      expect(await col.count()).toBe(2);
    });

    it("add with onDuplicate 'ignore' is atomic: one bad vector writes nothing", async () => {
      await expectCode(
        col.add({ ids: ["c", "a", "d"], embeddings: [axis(2), axis(0), [1, 2]] }, { onDuplicate: "ignore" }),
        "DIMENSION_MISMATCH",
      );
      expect((await col.get()).ids).toEqual(["a", "b"]);
    });

    it("upsert with metadata 'replace' replaces stored metadata as a whole, in place", async () => {
      await col.upsert(
        {
          ids: ["b", "a", "c"],
          embeddings: [axis(2), axis(0), axis(1)],
          metadatas: [{ k: "b2", dropped: null }, null, { fresh: true }],
        },
        { metadata: "replace" },
      );
      const r = await all();
      expect(r.ids).toEqual(["a", "b", "c"]);
      expect(r.metadatas).toEqual([null, { k: "b2" }, { fresh: true }]);
      // Documents and uris not given are kept, as in a merging upsert.
      expect(r.documents).toEqual(["first", "second", null]);
      expect(r.uris).toEqual(["ua", null, null]);
      expect(r.embeddings[1]).toEqual(axis(2));
      expect((await col.get({ where: { keep: true } })).ids).toEqual([]);
      expect((await col.get({ where: { k: "b2" } })).ids).toEqual(["b"]);
    });

    it("upsert still merges by default and with metadata 'merge'", async () => {
      await col.upsert({ ids: ["b"], embeddings: [axis(1)], metadatas: [{ k: "b2" }] });
      await col.upsert(
        { ids: ["a"], embeddings: [axis(0)], metadatas: [{ n: null }] },
        { metadata: "merge" },
      );
      expect((await col.get({ ids: ["a", "b"] })).metadatas).toEqual([
        { k: "a" },
        { k: "b2", n: 2, keep: true },
      ]);
    });

    it("upsert with metadata 'replace' is atomic: one bad vector writes nothing", async () => {
      await expectCode(
        col.upsert(
          { ids: ["a", "c"], embeddings: [axis(1), [1, 2]], metadatas: [{ only: 1 }, { only: 2 }] },
          { metadata: "replace" },
        ),
        "DIMENSION_MISMATCH",
      );
      const r = await all();
      expect(r.ids).toEqual(["a", "b"]);
      expect(r.metadatas[0]).toEqual({ k: "a", n: 1 });
    });

    it("update with null embeddings keeps those vectors and sets the others, in one call", async () => {
      await col.add({ ids: ["c"], embeddings: [axis(2)] });
      await col.update({
        ids: ["a", "b", "c"],
        embeddings: [null, axis(2), null],
        metadatas: [{ n: 10 }, null, { tag: "c" }],
      });
      const r = await all();
      expect(r.embeddings).toEqual([axis(0), axis(2), axis(2)]);
      expect(r.metadatas).toEqual([{ k: "a", n: 10 }, { k: "b", n: 2, keep: true }, { tag: "c" }]);
      expect(r.documents).toEqual(["first", "second", null]);
      // The index took the change: b and c are the nearest to axis 2.
      const near = await col.query({ queryEmbeddings: [axis(2)], nResults: 2, include: [] });
      expect([...near.ids[0]!].sort()).toEqual(["b", "c"]);
      expect((await col.query({ queryEmbeddings: [axis(0)], nResults: 1, include: [] })).ids).toEqual([
        ["a"],
      ]);
    });

    it("update with a null embedding and a new document embeds the document", async () => {
      await col.update({ ids: ["a", "b"], embeddings: [axis(2), null], documents: [null, "ccc"] });
      const r = await all();
      expect(r.documents).toEqual(["first", "ccc"]);
      expect(r.embeddings[0]).toEqual(axis(2));
      expect(r.embeddings[1]![2]).toBeCloseTo(3.01, 5);
    });

    it("update with null embeddings validates the whole batch first: one bad record writes nothing", async () => {
      await expectCode(
        col.update({ ids: ["a", "missing"], embeddings: [axis(2), null], metadatas: [{ n: 9 }, null] }),
        "NOT_FOUND",
      );
      await expectCode(
        col.update({ ids: ["a", "b"], embeddings: [null, [1, 2]], metadatas: [{ n: 9 }, null] }),
        "DIMENSION_MISMATCH",
      );
      await expectCode(
        col.update({ ids: ["a", "b"], embeddings: [null, null, axis(0)] }),
        "INVALID_ARGUMENT",
      );
      const r = await all();
      expect(r.embeddings).toEqual([axis(0), axis(1)]);
      expect(r.metadatas[0]).toEqual({ k: "a", n: 1 });
    });

    it("write options are checked: unknown keys and values are rejected before anything is written", async () => {
      const e = await expectCode(
        col.add({ ids: ["c"], embeddings: [axis(2)] }, { onDuplicates: "ignore" } as never),
        "UNKNOWN_OPTION",
      );
      expect(e.message).toContain("onDuplicate");
      await expectCode(
        col.add({ ids: ["c"], embeddings: [axis(2)] }, { onDuplicate: "skip" } as never),
        "INVALID_ARGUMENT",
      );
      await expectCode(
        col.upsert({ ids: ["c"], embeddings: [axis(2)] }, { metadata: "overwrite" } as never),
        "INVALID_ARGUMENT",
      );
      await expectCode(
        col.upsert({ ids: ["c"], embeddings: [axis(2)] }, { onDuplicate: "ignore" } as never),
        "UNKNOWN_OPTION",
      );
      await expectCode(col.add({ ids: ["c"], embeddings: [axis(2)] }, "ignore" as never), "INVALID_ARGUMENT");
      expect(await col.count()).toBe(2);
    });
  });
}
