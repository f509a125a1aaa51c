/**
 * Concurrent writers on one database: two clients (two pools on the server) adding one id, concurrent upserts
 * of different metadata keys of one record, and batch atomicity. On PGlite the same rules are checked through
 * its single connection.
 */
import { type CairnError, type Collection, HashEmbeddingFunction } from "@cairndb/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PostgresClient } from "../src";
import { openClient, SERVER_URL } from "./harness";

const targets = SERVER_URL ? (["pglite", "server"] as const) : (["pglite"] as const);

for (const target of targets) {
  describe(`PostgresClient (${target}): concurrent writers`, () => {
    let env: Awaited<ReturnType<typeof openClient>>;
    let first: PostgresClient;
    let second: PostgresClient;
    let a: Collection;
    let b: Collection;
    beforeAll(async () => {
      env = await openClient(target);
      first = env.client;
      second = await env.reopen();
      a = await first.createCollection({
        name: "race",
        embeddingFunction: new HashEmbeddingFunction({ dimension: 8 }),
      });
      b = await second.getCollection({
        name: "race",
        embeddingFunction: new HashEmbeddingFunction({ dimension: 8 }),
      });
    });
    afterAll(async () => env.cleanup());

    it("two writers adding one id: exactly one wins, the other gets DUPLICATE_ID", async () => {
      for (let round = 0; round < 20; round++) {
        const id = `id-${round}`;
        const results = await Promise.allSettled([
          a.add({ ids: [id, `a-${round}`], documents: ["from a", "a only"] }),
          b.add({ ids: [`b-${round}`, id], documents: ["b only", "from b"] }),
        ]);
        const won = results.filter((r) => r.status === "fulfilled");
        const lost = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
        expect(won).toHaveLength(1);
        expect(lost).toHaveLength(1);
        expect((lost[0]!.reason as CairnError).code).toBe("DUPLICATE_ID");
        // The loser's batch wrote nothing: its other id is absent.
        const loserOnly = results[0]!.status === "rejected" ? `a-${round}` : `b-${round}`;
        expect((await a.get({ ids: [loserOnly] })).ids).toEqual([]);
        const stored = await a.get({ ids: [id] });
        expect(stored.documents[0]).toBe(results[0]!.status === "fulfilled" ? "from a" : "from b");
      }
    });

    it("concurrent upserts of different metadata keys of one record lose no update", async () => {
      await a.add({ ids: ["shared"], documents: ["x"], metadatas: [{ base: 1 }] });
      const writers = Array.from({ length: 16 }, (_, i) =>
        (i % 2 === 0 ? a : b).upsert({ ids: ["shared"], documents: ["x"], metadatas: [{ [`k${i}`]: i }] }),
      );
      await Promise.all(writers);
      const { metadatas } = await a.get({ ids: ["shared"] });
      const expected: Record<string, number> = { base: 1 };
      for (let i = 0; i < 16; i++) expected[`k${i}`] = i;
      expect(metadatas[0]).toEqual(expected);
      // null deletes a key, in SQL as well.
      await b.update({ ids: ["shared"], metadatas: [{ base: null, k0: null }] });
      const after = (await a.get({ ids: ["shared"] })).metadatas[0]!;
      expect(Object.hasOwn(after, "base") || Object.hasOwn(after, "k0")).toBe(false);
      expect(after.k1).toBe(1);
    });

    it("a failing batch is never partly visible", async () => {
      await expect(a.add({ ids: ["ok-1", "id-0"], documents: ["new", "duplicate"] })).rejects.toMatchObject({
        code: "DUPLICATE_ID",
      });
      expect((await b.get({ ids: ["ok-1"] })).ids).toEqual([]);
    });
  });
}
