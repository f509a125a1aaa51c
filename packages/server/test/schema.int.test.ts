/**
 * The official chromadb@3.5.0 client's `schema` against the server: a vector index space/hnsw schema is
 * honoured (a cosine schema makes a cosine collection), anything Cairn cannot honour is a 400
 * INVALID_CONFIGURATION naming the schema key, and nothing is created.
 */
import { HttpClient } from "@cairndb/core";
import {
  ChromaClient,
  ChromaClientError,
  FtsIndexConfig,
  Schema,
  StringInvertedIndexConfig,
  VectorIndexConfig,
} from "chromadb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningServer, startServer } from "../src";
import { tempDir } from "./helpers";

let server: RunningServer;
let data: ReturnType<typeof tempDir>;
let chroma: ChromaClient;
let cairn: HttpClient;

beforeAll(async () => {
  data = tempDir("cairn-schema-");
  server = await startServer({ path: data.dir, port: 0, logLevel: "silent" });
  const { hostname, port } = new URL(server.url);
  chroma = new ChromaClient({ host: hostname, port: Number(port) });
  cairn = new HttpClient({ path: server.url });
});

afterAll(async () => {
  await cairn.close();
  await server.close();
  data.remove();
});

describe("chromadb client schema → cairn", () => {
  it("a cosine vector index schema makes a cosine collection", async () => {
    const schema = new Schema().createIndex(new VectorIndexConfig({ space: "cosine" }));
    const col = await chroma.createCollection({ name: "cosine-schema", schema, embeddingFunction: null });
    expect(col.configuration?.hnsw?.space).toBe("cosine");
    expect((await cairn.getCollection({ name: "cosine-schema" })).configuration.hnsw.space).toBe("cosine");
    await col.add({
      ids: ["a", "b"],
      embeddings: [
        [1, 0],
        [0, 1],
      ],
    });
    const hit = await col.query({ queryEmbeddings: [[5, 0]], nResults: 1, include: ["distances"] });
    expect(hit.distances[0]![0]).toBeCloseTo(0, 5); // l2 would be 16
  });

  it("hnsw settings in the schema are applied; the default schema changes nothing", async () => {
    const schema = new Schema().createIndex(
      new VectorIndexConfig({ space: "ip", hnsw: { ef_construction: 200, max_neighbors: 32 } }),
    );
    await chroma.createCollection({ name: "ip-schema", schema, embeddingFunction: null });
    const hnsw = (await cairn.getCollection({ name: "ip-schema" })).configuration.hnsw;
    expect(hnsw).toMatchObject({ space: "ip", ef_construction: 200, max_neighbors: 32 });
    await chroma.createCollection({ name: "default-schema", schema: new Schema(), embeddingFunction: null });
    expect((await cairn.getCollection({ name: "default-schema" })).configuration.hnsw.space).toBe("l2");
  });

  it("a schema Cairn cannot honour is refused with INVALID_CONFIGURATION naming the key; nothing is created", async () => {
    const before = await chroma.countCollections();
    const perKey = new Schema().deleteIndex(new StringInvertedIndexConfig(), "title");
    const error = await chroma
      .createCollection({ name: "per-key", schema: perKey, embeddingFunction: null })
      .then(
        () => undefined,
        (e: unknown) => e as Error,
      );
    expect(error).toBeInstanceOf(ChromaClientError);
    expect(error!.message).toContain("schema.keys.title: per-key index settings are not supported by Cairn");
    expect(error!.message).toContain("configuration: { hnsw: { space");
    const fts = new Schema().deleteIndex(new FtsIndexConfig(), "#document");
    await expect(
      chroma.createCollection({ name: "no-fts", schema: fts, embeddingFunction: null }),
    ).rejects.toThrow('schema.keys["#document"].string.fts_index.enabled');
    expect(await chroma.countCollections()).toBe(before);
  });

  it("the raw REST answer is 400 with code INVALID_CONFIGURATION", async () => {
    const res = await fetch(
      `${server.url}/api/v2/tenants/default_tenant/databases/default_database/collections`,
      {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ name: "raw-schema", schema: { cmek: { gcp: "projects/p" } } }),
      },
    );
    expect(res.status).toBe(400);
    const body = (await res.json()) as { message: string };
    expect(body).toMatchObject({ error: "InvalidArgumentError", code: "INVALID_CONFIGURATION" });
    expect(body.message).toContain("schema.cmek");
  });
});
