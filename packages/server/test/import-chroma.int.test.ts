/**
 * `importChroma` / `cairn import-chroma` against the REAL Chroma 1.0.0 server: fixtures are written by Chroma
 * itself through the official client (three spaces, custom HNSW settings, metadata of every type, documents,
 * several batches, deletes, updates, upserts, and one collection still unflushed in `embeddings_queue`). Queries
 * recorded on Chroma must return the same ids and distances on the imported collections, and every record
 * must carry over (id, document, metadata, embedding), both offline (the stopped server's directory) and live
 * (its REST API).
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { importChroma, PersistentClient } from "@cairndb/core";
import { ChromaClient } from "chromadb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../src/commands/program";
import { type ChromaProcess, sink, spawnChroma, tempDir } from "./helpers";

const DIM = 8;
/** Records of each flushed collection: several add batches and past the 100-record sync threshold. */
const N = 450;
const LAG_N = 40;
const QUERIES = 12;
const K = 10;

const vectorOf = (i: number): number[] =>
  Array.from({ length: DIM }, (_, j) => Math.sin(i * 12.9898 + j * 78.233) * 3);
const queryOf = (q: number): number[] => vectorOf(10_000 + q).map((x, j) => x + (j % 2 ? 0.5 : -0.25));

interface Recorded {
  name: string;
  space: string;
  queries: { ids: string[]; distances: number[] }[];
  records: Map<string, { document: string | null; metadata: unknown; embedding: number[] }>;
}

const chromaDir = tempDir("chroma-import-src-");
const outDirs: ReturnType<typeof tempDir>[] = [];
const out = () => outDirs[outDirs.push(tempDir("cairn-import-")) - 1]!.dir;
let chroma: ChromaProcess | undefined;
const recorded: Recorded[] = [];
let liveTarget = "";

async function record(client: ChromaClient, name: string, space: string): Promise<Recorded> {
  const col = await client.getCollection({ name, embeddingFunction: null as never });
  const queries: Recorded["queries"] = [];
  for (let q = 0; q < QUERIES; q++) {
    const r = await col.query({
      queryEmbeddings: [queryOf(q)],
      nResults: K,
      include: ["distances"] as never,
    });
    queries.push({ ids: r.ids[0]!, distances: (r.distances[0] ?? []) as number[] });
  }
  const got = await col.get({ include: ["embeddings", "documents", "metadatas"] as never });
  const records: Recorded["records"] = new Map();
  got.ids.forEach((id, i) => {
    records.set(id, {
      document: got.documents[i] ?? null,
      metadata: got.metadatas[i] ?? null,
      embedding: got.embeddings[i] as number[],
    });
  });
  return { name, space, queries, records };
}

beforeAll(async () => {
  chroma = await spawnChroma(chromaDir.dir);
  const client = new ChromaClient({ host: "127.0.0.1", port: chroma.port });
  for (const space of ["l2", "cosine", "ip"] as const) {
    const col = await client.createCollection({
      name: `docs_${space}`,
      embeddingFunction: null as never,
      metadata: { owner: "team-a", version: 3, ratio: 0.5, public: true },
      configuration: {
        hnsw: { space, ef_construction: 120, ef_search: 300, max_neighbors: 12, sync_threshold: 100 },
      },
    });
    for (let start = 0; start < N; start += 150) {
      const ids = Array.from({ length: 150 }, (_, k) => `r${start + k}`);
      await col.add({
        ids,
        embeddings: ids.map((_, k) => vectorOf(start + k)),
        documents: ids.map((id) => `document of ${id}`),
        metadatas: ids.map((_, k) => ({
          tag: `t${(start + k) % 7}`,
          n: start + k,
          score: (start + k) / 3,
          even: (start + k) % 2 === 0,
        })),
      });
    }
    await col.delete({ ids: ["r1", "r2", "r300"] });
    await col.update({
      ids: ["r3"],
      embeddings: [vectorOf(999)],
      metadatas: [{ tag: "updated" }],
      documents: ["new text"],
    });
    await col.upsert({
      ids: ["r4", "extra"],
      embeddings: [vectorOf(998), vectorOf(997)],
      metadatas: [{ n: -1 }, { only: "x" }],
      documents: ["d4", "extra doc"],
    });
  }
  // Default sync threshold (1000): these records never reach the HNSW files, only embeddings_queue.
  const lag = await client.createCollection({ name: "lagging", embeddingFunction: null as never });
  await lag.add({
    ids: Array.from({ length: LAG_N }, (_, i) => `q${i}`),
    embeddings: Array.from({ length: LAG_N }, (_, i) => vectorOf(5000 + i)),
    documents: Array.from({ length: LAG_N }, (_, i) => `lag ${i}`),
    metadatas: Array.from({ length: LAG_N }, (_, i) => ({ i })),
  });
  await lag.delete({ ids: ["q0"] });
  for (const space of ["l2", "cosine", "ip"]) recorded.push(await record(client, `docs_${space}`, space));
  recorded.push(await record(client, "lagging", "l2"));
  liveTarget = out();
  await importChroma({ fromUrl: chroma.url, path: liveTarget, batchSize: 100 });
  await chroma.stop();
  chroma = undefined;
}, 120_000);

afterAll(async () => {
  await chroma?.stop();
  chromaDir.remove();
  for (const d of outDirs) d.remove();
});

/** Checks every recorded query and record on the Cairn database at `path`. */
async function expectSameAsChroma(path: string, normalizedCosine = false): Promise<void> {
  const client = new PersistentClient({ path });
  try {
    expect((await client.listCollections()).map((c) => c.name).sort()).toEqual(
      recorded.map((r) => r.name).sort(),
    );
    for (const rec of recorded) {
      const col = await client.getCollection({ name: rec.name, embeddingFunction: null });
      expect(col.configuration.hnsw?.space ?? "l2").toBe(rec.space);
      expect(await col.count()).toBe(rec.records.size);
      for (let q = 0; q < QUERIES; q++) {
        const r = await col.query({ queryEmbeddings: [queryOf(q)], nResults: K, include: ["distances"] });
        expect(r.ids[0], `${rec.name} query ${q}`).toEqual(rec.queries[q]!.ids);
        r.distances![0]!.forEach((d, i) => {
          const want = rec.queries[q]!.distances[i]!;
          expect(Math.abs(d! - want), `${rec.name} query ${q} rank ${i}`).toBeLessThanOrEqual(
            1e-4 * Math.max(1, Math.abs(want)),
          );
        });
      }
      const got = await col.get({ include: ["embeddings", "documents", "metadatas"] });
      expect(got.ids.length).toBe(rec.records.size);
      got.ids.forEach((id, i) => {
        const want = rec.records.get(id);
        expect(want, `${rec.name}/${id} exists on Chroma`).toBeDefined();
        expect(got.documents[i] ?? null).toBe(want!.document);
        expect(got.metadatas[i] ?? null).toEqual(want!.metadata);
        const e = got.embeddings![i]!;
        expect(e.length).toBe(DIM);
        // Chroma's HNSW files hold cosine vectors normalized: offline, those come over as unit vectors (same
        // direction, same cosine distances); records still in embeddings_queue keep their stored values.
        const unit = normalizedCosine && rec.space === "cosine" ? Math.hypot(...want!.embedding) : 1;
        const scale = Math.abs(Math.hypot(...e) - 1) < 1e-5 ? unit : 1;
        e.forEach((x, j) => {
          expect(Math.abs(x - want!.embedding[j]! / scale), `${rec.name}/${id}[${j}]`).toBeLessThanOrEqual(
            1e-6,
          );
        });
      });
    }
  } finally {
    await client.close();
  }
}

describe("import from Chroma 1.0", () => {
  it("the fixture exercises both vector sources: flushed HNSW segment files and an unflushed queue", () => {
    const segments = readdirSync(chromaDir.dir).filter((f) =>
      existsSync(join(chromaDir.dir, f, "header.bin")),
    );
    const pickles = segments.filter((f) => existsSync(join(chromaDir.dir, f, "index_metadata.pickle")));
    expect(pickles.length).toBe(3); // the three flushed collections; "lagging" has no index files yet
    expect(readFileSync(join(chromaDir.dir, pickles[0]!, "header.bin")).length).toBe(100);
  });

  it("live server (REST): every query, record, document, metadata and embedding as on Chroma", async () => {
    await expectSameAsChroma(liveTarget);
  });

  it("persist directory (offline, CLI): the same, and the summary names each collection and its HNSW settings", async () => {
    const target = out();
    const stdout = sink();
    const code = await runCli(
      ["import-chroma", "--from", chromaDir.dir, "--path", target, "--batch-size", "128"],
      {
        stdout: stdout.stream,
      },
    );
    expect(code).toBe(0);
    expect(stdout.text()).toMatch(
      /^docs_cosine: 448 records, dimension 8, hnsw \{"space":"cosine","ef_construction":120,"ef_search":300,"max_neighbors":12/m,
    );
    expect(stdout.text()).toMatch(/^lagging: 39 records/m);
    expect(stdout.text()).toMatch(/imported 4 collection\(s\), 1383 records into/);
    await expectSameAsChroma(target, true);
  });

  it("collection metadata and HNSW settings are carried over", async () => {
    const client = new PersistentClient({ path: liveTarget });
    try {
      const col = await client.getCollection({ name: "docs_ip", embeddingFunction: null });
      expect(col.metadata).toEqual({ owner: "team-a", version: 3, ratio: 0.5, public: true });
      expect(col.configuration.hnsw).toMatchObject({
        space: "ip",
        ef_construction: 120,
        ef_search: 300,
        max_neighbors: 12,
      });
    } finally {
      await client.close();
    }
  });

  it("refuses a target that already has one of the collections, writing nothing", async () => {
    const target = out();
    await importChroma({ from: chromaDir.dir, path: target, collections: ["lagging"] });
    await expect(importChroma({ from: chromaDir.dir, path: target })).rejects.toMatchObject({
      code: "COLLECTION_EXISTS",
    });
    const client = new PersistentClient({ path: target });
    expect((await client.listCollections()).map((c) => c.name)).toEqual(["lagging"]);
    await client.close();
  });

  it("names a missing directory, an unknown collection and an unreachable server", async () => {
    await expect(importChroma({ from: join(chromaDir.dir, "nope"), path: out() })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    await expect(
      importChroma({ from: chromaDir.dir, path: out(), collections: ["missing"] }),
    ).rejects.toThrow(/no Chroma collection named "missing".*lagging/);
    await expect(importChroma({ fromUrl: "http://127.0.0.1:1", path: out() })).rejects.toMatchObject({
      code: "CONNECTION_FAILED",
    });
    const stderr = sink();
    expect(await runCli(["import-chroma", "--path", out()], { stderr: stderr.stream })).toBe(2);
    expect(stderr.text()).toMatch(/exactly one of --from <dir> or --from-url <url>/);
  });
});
