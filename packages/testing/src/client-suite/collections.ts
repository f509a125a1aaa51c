import { type CairnClient, InvalidArgumentError } from "@cairndb/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type ClientFactory, expectCode, LetterEmbeddingFunction } from "./harness";

/** Collection CRUD, names, configuration and embedding-function identity. */
export function collectionScenarios(factory: ClientFactory): void {
  describe(`${factory.name}: collections`, () => {
    let client: CairnClient;
    let env: Awaited<ReturnType<ClientFactory["create"]>>;
    beforeEach(async () => {
      env = await factory.create();
      client = env.client;
    });
    afterEach(async () => env.cleanup());

    it("heartbeat and version answer", async () => {
      expect(await client.heartbeat()).toBeGreaterThan(0);
      expect(await client.version()).toMatch(/^\d+\.\d+\.\d+/);
    });

    it("creates, gets, lists, counts and deletes collections", async () => {
      const a = await client.createCollection({
        name: "alpha",
        metadata: { owner: "me", n: 1 },
        embeddingFunction: null,
      });
      await client.createCollection({ name: "beta", embeddingFunction: null });
      expect(a.name).toBe("alpha");
      expect(a.metadata).toEqual({ owner: "me", n: 1 });
      expect(a.id).toMatch(/^[0-9a-f-]{36}$/);
      expect((await client.getCollection({ name: "alpha" })).id).toBe(a.id);
      expect(await client.countCollections()).toBe(2);
      expect((await client.listCollections()).map((c) => c.name)).toEqual(["alpha", "beta"]);
      expect((await client.listCollections({ limit: 1, offset: 1 })).map((c) => c.name)).toEqual(["beta"]);
      await client.deleteCollection({ name: "alpha" });
      expect(await client.countCollections()).toBe(1);
      await expectCode(client.getCollection({ name: "alpha" }), "COLLECTION_NOT_FOUND");
      await expectCode(client.deleteCollection({ name: "alpha" }), "COLLECTION_NOT_FOUND");
    });

    it("rejects a duplicate name, and getOrCreate returns the existing collection unchanged", async () => {
      const first = await client.createCollection({
        name: "dup",
        metadata: { v: 1 },
        embeddingFunction: null,
      });
      await expectCode(
        client.createCollection({ name: "dup", embeddingFunction: null }),
        "COLLECTION_EXISTS",
      );
      const again = await client.getOrCreateCollection({
        name: "dup",
        metadata: { v: 2 },
        embeddingFunction: null,
      });
      expect(again.id).toBe(first.id);
      expect(again.metadata).toEqual({ v: 1 });
    });

    it("validates collection names like Chroma", async () => {
      for (const bad of [
        "ab",
        "-abc",
        "abc-",
        "has space",
        "a..b",
        "192.168.1.1",
        "héllo",
        "a".repeat(513),
      ]) {
        await expectCode(
          client.createCollection({ name: bad, embeddingFunction: null }),
          "INVALID_COLLECTION_NAME",
        );
      }
      for (const good of ["abc", "a.b.c", "Abc-Def_1.x"]) {
        await client.createCollection({ name: good, embeddingFunction: null });
      }
      expect(await client.countCollections()).toBe(3);
    });

    it("rejects unknown option keys with a hint", async () => {
      const error = await expectCode(
        client.createCollection({ name: "x1x", embeddingFunction: null, metdata: {} } as never),
        "UNKNOWN_OPTION",
      );
      expect(error).toBeInstanceOf(InvalidArgumentError);
      expect(error.message).toContain('Did you mean "metadata"');
    });

    it("stores configuration: defaults, explicit space, legacy hnsw: metadata keys", async () => {
      const d = await client.createCollection({ name: "cfg-default", embeddingFunction: null });
      expect(d.configuration.hnsw).toMatchObject({
        space: "l2",
        ef_construction: 100,
        ef_search: 100,
        max_neighbors: 16,
      });
      const c = await client.createCollection({
        name: "cfg-cos",
        configuration: { hnsw: { space: "cosine", ef_search: 64 } },
        embeddingFunction: null,
      });
      expect(c.configuration.hnsw).toMatchObject({ space: "cosine", ef_search: 64 });
      const legacy = await client.createCollection({
        name: "cfg-legacy",
        metadata: { "hnsw:space": "ip" },
        embeddingFunction: null,
      });
      expect(legacy.configuration.hnsw.space).toBe("ip");
      expect(legacy.metadata).toEqual({ "hnsw:space": "ip" });
      await expectCode(
        client.createCollection({
          name: "cfg-bad",
          configuration: { hnsw: { space: "manhattan" as never } },
          embeddingFunction: null,
        }),
        "INVALID_CONFIGURATION",
      );
    });

    it("modify renames, replaces metadata and changes only mutable settings", async () => {
      const c = await client.createCollection({
        name: "mod",
        metadata: { a: 1, b: 2 },
        embeddingFunction: null,
      });
      await c.modify({ name: "mod2", metadata: { c: 3 }, configuration: { hnsw: { ef_search: 77 } } });
      expect(c.name).toBe("mod2");
      const again = await client.getCollection({ name: "mod2" });
      expect(again.metadata).toEqual({ c: 3 });
      expect(again.configuration.hnsw.ef_search).toBe(77);
      await expectCode(
        c.modify({ configuration: { hnsw: { space: "ip" } as never } }),
        "INVALID_CONFIGURATION",
      );
      await client.createCollection({ name: "taken", embeddingFunction: null });
      await expectCode(c.modify({ name: "taken" }), "COLLECTION_EXISTS");
    });

    it("persists the embedding function identity and rejects a conflicting one", async () => {
      const ef = new LetterEmbeddingFunction(8);
      const c = await client.createCollection({ name: "ef-one", embeddingFunction: ef });
      await c.add({ ids: ["a"], documents: ["abc"] });
      expect(c.configuration.embedding_function).toEqual({
        type: "known",
        name: "letters",
        config: { dim: 8 },
      });
      await expectCode(
        client.getCollection({ name: "ef-one", embeddingFunction: new LetterEmbeddingFunction(4) }),
        "EMBEDDING_FUNCTION_CONFLICT",
      );
      const same = await client.getCollection({
        name: "ef-one",
        embeddingFunction: new LetterEmbeddingFunction(8),
      });
      expect(await same.count()).toBe(1);
      const forced = await client.getCollection({
        name: "ef-one",
        embeddingFunction: new LetterEmbeddingFunction(4),
        overrideEmbeddingFunction: true,
      });
      expect(forced.embeddingFunction).toBeDefined();
    });

    it("a vectors-only collection says so when given texts", async () => {
      const c = await client.createCollection({ name: "vec-only", embeddingFunction: null });
      const error = await expectCode(
        c.add({ ids: ["a"], documents: ["text"] }),
        "EMBEDDING_FUNCTION_MISSING",
      );
      expect(error.message).toContain("embeddingFunction: null");
      await expectCode(c.query({ queryTexts: ["x"] }), "EMBEDDING_FUNCTION_MISSING");
    });

    it("reset requires allowReset", async () => {
      await expectCode(client.reset(), "RESET_DISABLED");
    });

    it("tenants and databases scope collections", async () => {
      await client.createDatabase({ name: "db2" });
      expect((await client.getDatabase({ name: "db2" })).name).toBe("db2");
      await expectCode(client.createDatabase({ name: "db2" }), "DATABASE_EXISTS");
      expect((await client.listDatabases()).map((d) => d.name).sort()).toEqual(["db2", "default_database"]);
      await client.deleteDatabase({ name: "db2" });
      await expectCode(client.getDatabase({ name: "db2" }), "DATABASE_NOT_FOUND");
      await client.createTenant({ name: "tenant2" });
      expect(await client.getTenant({ name: "tenant2" })).toEqual({ name: "tenant2" });
      await expectCode(client.getTenant({ name: "nope-tenant" }), "TENANT_NOT_FOUND");
    });
  });
}
