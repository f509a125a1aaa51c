/**
 * Against the REAL Chroma 1.0.0 server: (1) each deliberate difference in docs/server-api.md, shown on both
 * servers through the chromadb client, so the documentation stays true; (2) Cairn's HttpClient talking to
 * Chroma "as far as the wire allows" (errors rebuilt from the status, by-id falling back to the list).
 */
import { HttpClient } from "@cairndb/core";
import { expectCode } from "@cairndb/testing";
import {
  ChromaClient,
  ChromaNotFoundError,
  ChromaServerError,
  ChromaUniqueError,
  type Collection,
} from "chromadb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CairnProcess, type ChromaProcess, spawnCairn, spawnChroma, tempDir } from "../helpers";

let chroma: ChromaProcess;
let cairn: CairnProcess;
const dirs = [tempDir("chroma-oracle2-"), tempDir("cairn-oracle2-")];
let n = 0;

beforeAll(async () => {
  [chroma, cairn] = await Promise.all([
    spawnChroma(dirs[0]!.dir),
    spawnCairn(dirs[1]!.dir, ["--log-level", "warn"]),
  ]);
}, 60_000);

afterAll(async () => {
  await Promise.all([chroma?.stop(), cairn?.stop()]);
  for (const d of dirs) d.remove();
});

/** The same fresh collection (three records) on both servers: [chroma, cairn]. */
async function pair(): Promise<[Collection, Collection]> {
  const name = `differences-${++n}`;
  const make = async (port: number) => {
    const col = await new ChromaClient({ host: "127.0.0.1", port }).createCollection({
      name,
      embeddingFunction: null,
    });
    await col.add({
      ids: ["a", "b", "c"],
      embeddings: [
        [1, 0],
        [0, 1],
        [1, 1],
      ],
      metadatas: [
        { g: 1, i: 2 },
        { g: 1, i: 1 },
        { g: 2, i: 3 },
      ],
    });
    return col;
  };
  return [await make(chroma.port), await make(cairn.port)];
}

describe("documented deliberate differences (chroma vs cairn)", () => {
  it("add of an existing id: Chroma ignores it silently, Cairn refuses the batch (409 DUPLICATE_ID)", async () => {
    const [c, k] = await pair();
    await c.add({
      ids: ["a", "new"],
      embeddings: [
        [9, 9],
        [5, 5],
      ],
    });
    await expect(
      k.add({
        ids: ["a", "new"],
        embeddings: [
          [9, 9],
          [5, 5],
        ],
      }),
    ).rejects.toBeInstanceOf(ChromaUniqueError);
    expect((await c.get({ ids: ["a"], include: ["embeddings"] })).embeddings).toEqual([[1, 0]]);
    expect(await c.count()).toBe(4);
    expect(await k.count()).toBe(3); // nothing written
  });

  it("update of a missing id: Chroma ignores it, Cairn refuses the batch (404 NOT_FOUND)", async () => {
    const [c, k] = await pair();
    await c.update({ ids: ["a", "missing"], metadatas: [{ g: 7 }, { g: 7 }] });
    await expect(k.update({ ids: ["a", "missing"], metadatas: [{ g: 7 }, { g: 7 }] })).rejects.toBeInstanceOf(
      ChromaNotFoundError,
    );
    expect((await k.get({ ids: ["a"] })).metadatas).toEqual([{ g: 1, i: 2 }]);
  });

  it("query with an unknown id in `ids`: Chroma 1.0 answers 500, Cairn returns the existing matches", async () => {
    const [c, k] = await pair();
    await expect(c.query({ queryEmbeddings: [[1, 0]], ids: ["a", "missing"] })).rejects.toBeInstanceOf(
      ChromaServerError,
    );
    expect((await k.query({ queryEmbeddings: [[1, 0]], ids: ["a", "missing"] })).ids).toEqual([["a"]]);
  });

  it("rename to a taken name: Chroma 1.0 answers 500, Cairn 409 COLLECTION_EXISTS", async () => {
    const [c, k] = await pair();
    const [c2, k2] = await pair();
    await expect(c.modify({ name: c2.name })).rejects.toBeInstanceOf(ChromaServerError);
    await expect(k.modify({ name: k2.name })).rejects.toBeInstanceOf(ChromaUniqueError);
  });

  it("delete honours `limit` and returns the count (Chroma 1.0 deletes every match and returns {})", async () => {
    const [c, k] = await pair();
    expect(await c.delete({ where: { g: 1 }, limit: 1 })).toEqual({ deleted: 0 });
    expect(await k.delete({ where: { g: 1 }, limit: 1 })).toEqual({ deleted: 1 });
    expect(await c.count()).toBe(1);
    expect(await k.count()).toBe(2);
  });

  it("a float operand on int metadata: Chroma 1.0 truncates it ($gte 1.5 matches 1), Cairn compares numerically", async () => {
    const [c, k] = await pair();
    expect((await c.get({ where: { i: { $gte: 1.5 } } })).ids).toEqual(["a", "b", "c"]);
    expect((await k.get({ where: { i: { $gte: 1.5 } } })).ids).toEqual(["a", "c"]);
  });

  it("by-id, fork_count, indexing_status: missing on Chroma 1.0 (404), answered by Cairn", async () => {
    const [c, k] = await pair();
    await expect(c.forkCount()).rejects.toBeInstanceOf(ChromaNotFoundError);
    expect(await k.forkCount()).toBe(0);
    await expect(
      new ChromaClient({ host: "127.0.0.1", port: chroma.port }).getCollectionById(c.id),
    ).rejects.toBeInstanceOf(ChromaNotFoundError);
    expect(
      (await new ChromaClient({ host: "127.0.0.1", port: cairn.port }).getCollectionById(k.id)).name,
    ).toBe(k.name);
  });

  it("update with a document but no embedding (raw HTTP): Chroma keeps the old vector, Cairn refuses (400)", async () => {
    const [c, k] = await pair();
    const post = (base: string, col: Collection) =>
      fetch(`${base}/api/v2/tenants/default_tenant/databases/default_database/collections/${col.id}/update`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ ids: ["a"], documents: ["new text"] }),
      });
    expect((await post(chroma.url, c)).status).toBe(200);
    const refused = await post(cairn.url, k);
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { code: string }).code).toBe("EMBEDDING_FUNCTION_MISSING");
  });
});

describe("HttpClient → real Chroma 1.0", () => {
  it("collections and records work; errors map from the status", async () => {
    const client = new HttpClient({ host: "127.0.0.1", port: chroma.port });
    expect(await client.heartbeat()).toBeGreaterThan(0);
    const col = await client.createCollection({
      name: "from-cairn",
      configuration: { hnsw: { space: "cosine" } },
      embeddingFunction: null,
    });
    expect(col.configuration.hnsw.space).toBe("cosine");
    await col.add({
      ids: ["a", "b"],
      embeddings: [
        [1, 0],
        [0, 1],
      ],
      documents: ["alpha", "beta"],
      metadatas: [{ k: 1 }, { k: 2 }],
    });
    expect((await col.get({ where: { k: 2 } })).documents).toEqual(["beta"]);
    const hits = await col.query({ queryEmbeddings: [[1, 0.1]], nResults: 1 });
    expect(hits.ids).toEqual([["a"]]);
    expect(hits.distances[0]![0]).toBeCloseTo(1 - 1 / Math.sqrt(1.01), 5);
    await col.modify({ metadata: { owner: "x" } });
    expect(col.metadata).toEqual({ owner: "x" }); // re-read through the list (no by-id route on 1.0)
    expect((await client.getCollectionById(col.id)).name).toBe("from-cairn");
    await expectCode(client.getCollection({ name: "not-there" }), "COLLECTION_NOT_FOUND");
    await expectCode(
      client.createCollection({ name: "from-cairn", embeddingFunction: null }),
      "COLLECTION_EXISTS",
    );
    await expectCode(col.add({ ids: ["c"], embeddings: [[1, 2, 3]] }), "DIMENSION_MISMATCH");
    await client.deleteCollection({ name: "from-cairn" });
    await expectCode(col.count(), "COLLECTION_NOT_FOUND");
  });
});
