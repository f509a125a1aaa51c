/**
 * The official `chromadb@3.5.0` client, unmodified, against a spawned `cairn run`: collections, records,
 * filters, includes, base64 embeddings and its error classes. Where Cairn deliberately differs from Chroma 1.0
 * (duplicate add → 409, update of a missing id → 404) the scenario says so.
 */
import {
  AdminClient,
  ChromaClient,
  ChromaClientError,
  ChromaForbiddenError,
  ChromaNotFoundError,
  ChromaServerError,
  ChromaUniqueError,
  ChromaValueError,
  type EmbeddingFunction,
} from "chromadb";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startServer } from "../src";
import { type CairnProcess, spawnCairn, tempDir } from "./helpers";

/** A deterministic chromadb-style embedding function: letter counts (no model download). */
class LetterCounts implements EmbeddingFunction {
  name = "letter-counts";
  async generate(texts: string[]): Promise<number[][]> {
    return texts.map((t) => {
      const v = [0.01, 0.01, 0.01, 0.01];
      for (const ch of t.toLowerCase()) if (ch >= "a" && ch <= "z") v[ch.charCodeAt(0) % 4]! += 1;
      return v;
    });
  }
}

let cairn: CairnProcess;
let data: ReturnType<typeof tempDir>;
let client: ChromaClient;
let n = 0;
const uniqueName = () => `col-${++n}`;

beforeAll(async () => {
  data = tempDir("cairn-chromadb-");
  cairn = await spawnCairn(data.dir, ["--log-level", "warn"]);
  client = new ChromaClient({ host: "127.0.0.1", port: cairn.port });
});

afterAll(async () => {
  await cairn.stop();
  data.remove();
});

const realFetch = globalThis.fetch;
afterEach(() => {
  globalThis.fetch = realFetch;
});

describe("chromadb client → cairn run", () => {
  it("heartbeat, version, pre-flight checks, identity", async () => {
    expect(await client.heartbeat()).toBeGreaterThan(0);
    expect(await client.version()).toMatch(/^\d+\.\d+\.\d+$/);
    expect(await client.getMaxBatchSize()).toBe(5461);
    expect(await client.supportsBase64Encoding()).toBe(true);
    expect(await client.getUserIdentity()).toEqual({
      user_id: "",
      tenant: "default_tenant",
      databases: ["default_database"],
    });
  });

  it("create, get, list, count, modify and delete collections", async () => {
    const before = await client.countCollections();
    const col = await client.createCollection({
      name: uniqueName(),
      metadata: { owner: "me", n: 1 },
      embeddingFunction: null,
    });
    expect(col.metadata).toEqual({ owner: "me", n: 1 });
    expect(col.configuration.hnsw?.space).toBe("l2");
    expect((await client.getCollection({ name: col.name })).id).toBe(col.id);
    expect((await client.getCollectionById(col.id)).name).toBe(col.name);
    expect(await client.countCollections()).toBe(before + 1);
    expect((await client.listCollections()).map((c) => c.name)).toContain(col.name);
    const renamed = `${col.name}-renamed`;
    await col.modify({
      name: renamed,
      metadata: { owner: "you" },
      configuration: { hnsw: { ef_search: 77 } },
    });
    const again = await client.getCollection({ name: renamed });
    expect(again.metadata).toEqual({ owner: "you" });
    expect(again.configuration.hnsw?.ef_search).toBe(77);
    const same = await client.getOrCreateCollection({
      name: renamed,
      metadata: { ignored: true },
      embeddingFunction: null,
    });
    expect(same.id).toBe(col.id);
    expect(same.metadata).toEqual({ owner: "you" });
    await client.deleteCollection({ name: renamed });
    await expect(client.getCollection({ name: renamed })).rejects.toBeInstanceOf(ChromaNotFoundError);
    await expect(client.deleteCollection({ name: renamed })).rejects.toBeInstanceOf(ChromaNotFoundError);
  });

  it("cosine space and a custom embedding function (embedded client-side)", async () => {
    const col = await client.createCollection({
      name: uniqueName(),
      configuration: { hnsw: { space: "cosine" } },
      embeddingFunction: new LetterCounts(),
    });
    await col.add({ ids: ["a", "b"], documents: ["aaaa", "bbbb"] });
    const r = await col.query({ queryTexts: ["aaab"], nResults: 2 });
    expect(r.ids).toEqual([["a", "b"]]);
    expect(r.distances[0]![0]!).toBeLessThan(r.distances[0]![1]!);
  });

  it("add/upsert/update/get/query/delete/count/peek with where, whereDocument and include", async () => {
    const col = await client.createCollection({ name: uniqueName(), embeddingFunction: null });
    await col.add({
      ids: ["b", "a", "c"],
      embeddings: [
        [1, 0, 0],
        [0, 1, 0],
        [0, 0, 1],
      ],
      documents: ["hello world", "foo bar", "Hello there"],
      metadatas: [
        { k: "x", n: 2 },
        { k: "y", n: 1 },
        { k: "x", n: 3 },
      ],
      uris: ["u1", "u2", "u3"],
    });
    expect(await col.count()).toBe(3);
    expect((await col.get()).ids).toEqual(["b", "a", "c"]);
    expect((await col.peek({ limit: 2 })).ids).toEqual(["b", "a"]);
    expect((await col.get({ where: { k: "x" } })).ids).toEqual(["b", "c"]);
    expect((await col.get({ where: { n: { $gte: 2 } }, whereDocument: { $contains: "Hello" } })).ids).toEqual(
      ["c"],
    );
    const full = await col.get({ ids: ["a"], include: ["embeddings", "uris", "documents", "metadatas"] });
    expect(full.rows()).toEqual([
      { id: "a", embedding: [0, 1, 0], uri: "u2", document: "foo bar", metadata: { k: "y", n: 1 } },
    ]);
    await col.upsert({
      ids: ["a", "d"],
      embeddings: [
        [0, 1, 0.5],
        [1, 1, 1],
      ],
      metadatas: [{ k: "z" }, { k: "w" }],
    });
    expect((await col.get({ ids: ["a"] })).metadatas).toEqual([{ k: "z", n: 1 }]);
    await col.update({ ids: ["b"], documents: ["changed"], embeddings: [[1, 0, 0.1]] });
    expect((await col.get({ ids: ["b"] })).documents).toEqual(["changed"]);
    const q = await col.query({
      queryEmbeddings: [[1, 0, 0]],
      nResults: 2,
      where: { k: { $in: ["x", "w"] } },
    });
    expect(q.ids).toEqual([["b", "c"]]);
    expect(q.distances[0]![0]).toBeCloseTo(0.01, 5);
    const bare = await col.query({ queryEmbeddings: [[1, 0, 0]], nResults: 1, include: [] });
    expect(bare.ids).toEqual([["b"]]);
    expect(bare.documents).toEqual([]);
    expect(await col.delete({ where: { k: "x" } })).toEqual({ deleted: 2 });
    expect((await col.get()).ids).toEqual(["a", "d"]);
  });

  it("sends embeddings as base64 and reads them back exactly (float32)", async () => {
    const bodies: string[] = [];
    globalThis.fetch = async (input, init) => {
      if (input instanceof Request && input.method === "POST") bodies.push(await input.clone().text());
      return realFetch(input, init);
    };
    const col = await client.createCollection({ name: uniqueName(), embeddingFunction: null });
    await col.add({ ids: ["x"], embeddings: [[0.1, -2.5, 3e-8]] });
    const add = bodies.find((b) => b.includes('"ids":["x"]'))!;
    expect(JSON.parse(add).embeddings[0]).toBe(
      Buffer.from(new Float32Array([0.1, -2.5, 3e-8]).buffer).toString("base64"),
    );
    const r = await col.get({ include: ["embeddings"] });
    expect(r.embeddings[0]).toEqual(Array.from(new Float32Array([0.1, -2.5, 3e-8])));
  });

  it("error classes: not found, unique, client (400/422), value (client-side), server (501), forbidden", async () => {
    const col = await client.createCollection({ name: uniqueName(), embeddingFunction: null });
    await expect(client.createCollection({ name: col.name, embeddingFunction: null })).rejects.toBeInstanceOf(
      ChromaUniqueError,
    );
    await col.add({ ids: ["a"], embeddings: [[1, 2, 3]] });
    // Deliberate difference: Chroma 1.0 ignores an existing id silently; Cairn refuses the batch (409).
    await expect(col.add({ ids: ["a"], embeddings: [[1, 2, 3]] })).rejects.toBeInstanceOf(ChromaUniqueError);
    // Deliberate difference: Chroma 1.0 ignores a missing id in update; Cairn refuses the batch (404).
    await expect(col.update({ ids: ["missing"], embeddings: [[1, 2, 3]] })).rejects.toBeInstanceOf(
      ChromaNotFoundError,
    );
    await expect(col.add({ ids: ["b"], embeddings: [[1, 2]] })).rejects.toBeInstanceOf(ChromaClientError);
    await expect(
      col.add({
        ids: ["z", "z"],
        embeddings: [
          [1, 2, 3],
          [1, 2, 3],
        ],
      }),
    ).rejects.toBeInstanceOf(ChromaValueError);
    await expect(col.fork({ name: uniqueName() })).rejects.toBeInstanceOf(ChromaServerError);
    await expect(client.reset()).rejects.toBeInstanceOf(ChromaForbiddenError);
    expect(await col.forkCount()).toBe(0);
    expect(await col.getIndexingStatus()).toMatchObject({
      num_unindexed_ops: 0,
      op_indexing_progress: 1,
      total_ops: 1,
    });
    await client.deleteCollection({ name: col.name });
    await expect(col.count()).rejects.toBeInstanceOf(ChromaNotFoundError);
  });

  it("tenants and databases through AdminClient", async () => {
    const admin = new AdminClient({ host: "127.0.0.1", port: cairn.port, ssl: false });
    await admin.createTenant({ name: "tenant-x" });
    expect(await admin.getTenant({ name: "tenant-x" })).toBe("tenant-x");
    await admin.createDatabase({ name: "db-x", tenant: "tenant-x" });
    expect((await admin.getDatabase({ name: "db-x", tenant: "tenant-x" })).name).toBe("db-x");
    expect((await admin.listDatabases({ tenant: "tenant-x" })).map((d) => d.name)).toEqual(["db-x"]);
    const scoped = new ChromaClient({
      host: "127.0.0.1",
      port: cairn.port,
      tenant: "tenant-x",
      database: "db-x",
    });
    await scoped.createCollection({ name: "inside", embeddingFunction: null });
    expect(await scoped.countCollections()).toBe(1);
    await admin.deleteDatabase({ name: "db-x", tenant: "tenant-x" });
    await expect(admin.getDatabase({ name: "db-x", tenant: "tenant-x" })).rejects.toBeInstanceOf(
      ChromaNotFoundError,
    );
  });
});

describe("chromadb client → startServer: the onDuplicate option", () => {
  const servers: { close(): Promise<void> }[] = [];
  const dirs: ReturnType<typeof tempDir>[] = [];
  afterAll(async () => {
    for (const s of servers) await s.close();
    for (const d of dirs) d.remove();
  });
  async function serve(onDuplicate?: "error" | "ignore"): Promise<ChromaClient> {
    const dir = tempDir("cairn-on-duplicate-");
    dirs.push(dir);
    const server = await startServer({
      path: dir.dir,
      port: 0,
      logLevel: "silent",
      ...(onDuplicate ? { onDuplicate } : {}),
    });
    servers.push(server);
    return new ChromaClient({ host: "127.0.0.1", port: server.port });
  }

  it("default: an add with an existing id is a 409 DUPLICATE_ID and writes nothing", async () => {
    const chroma = await serve();
    const col = await chroma.createCollection({ name: "dup-default", embeddingFunction: null });
    await col.add({ ids: ["a"], embeddings: [[1, 0, 0]], documents: ["old"] });
    const error = await col
      .add({
        ids: ["a", "b"],
        embeddings: [
          [0, 1, 0],
          [0, 0, 1],
        ],
      })
      .catch((e) => e);
    expect(error).toBeInstanceOf(ChromaUniqueError);
    expect(String(error.message)).toContain("already exist");
    expect(await col.count()).toBe(1);
  });

  it('onDuplicate "ignore": existing ids are skipped silently, new ids written, old records unchanged', async () => {
    const chroma = await serve("ignore");
    const col = await chroma.createCollection({ name: "dup-ignore", embeddingFunction: null });
    await col.add({ ids: ["a"], embeddings: [[1, 0, 0]], documents: ["old"], metadatas: [{ v: 1 }] });
    await col.add({
      ids: ["a", "b"],
      embeddings: [
        [0, 1, 0],
        [0, 0, 1],
      ],
      documents: ["new", "b"],
      metadatas: [{ v: 2 }, { v: 3 }],
    });
    const r = await col.get({ include: ["documents", "metadatas", "embeddings"] });
    expect(r.ids).toEqual(["a", "b"]);
    expect(r.documents).toEqual(["old", "b"]);
    expect(r.metadatas).toEqual([{ v: 1 }, { v: 3 }]);
    expect(r.embeddings[0]).toEqual([1, 0, 0]);
    // Still atomic: a batch with a bad vector writes nothing, not even its new ids.
    await expect(
      col.add({
        ids: ["a", "c"],
        embeddings: [
          [1, 0, 0],
          [1, 0],
        ],
      }),
    ).rejects.toBeInstanceOf(ChromaClientError);
    expect(await col.count()).toBe(2);
  });
});
