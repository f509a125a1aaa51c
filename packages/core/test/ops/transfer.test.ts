/**
 * Export → import round trips (persistent and ephemeral clients, base64 and numbers encodings) are lossless:
 * bit-equal vectors, metadata of every type, documents, uris and null fields, collection metadata,
 * configuration and embedding-function identity. Malformed input names its line, leaves its batch unwritten
 * and `resume` finishes the import; conflicts with an existing collection are coded errors.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import {
  type CairnClient,
  EphemeralClient,
  exportCollection,
  HashEmbeddingFunction,
  importCollection,
  type Metadata,
  PersistentClient,
} from "@cairndb/core";
import { expectCode } from "@cairndb/testing";
import { afterEach, describe, expect, it } from "vitest";

const dirs: string[] = [];
const clients: CairnClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) await c.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function persistent(): PersistentClient {
  const path = mkdtempSync(join(tmpdir(), "cairn-transfer-"));
  dirs.push(path);
  const client = new PersistentClient({ path });
  clients.push(client);
  return client;
}
function ephemeral(): EphemeralClient {
  const client = new EphemeralClient();
  clients.push(client);
  return client;
}

/** A writable that keeps what it was given. */
function memorySink() {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  return { stream, text: () => chunks.join("") };
}

/** Vectors that stress bit-exactness: -0, subnormals, extremes, values with no short decimal form. */
function trickyVector(i: number, dim: number): Float32Array {
  const v = new Float32Array(dim);
  for (let j = 0; j < dim; j++) v[j] = Math.fround(Math.sin(i * 31 + j) * 10 ** ((j % 7) - 3));
  v[0] = i % 2 === 0 ? -0 : 1.401298464324817e-45; // negative zero, smallest subnormal
  v[1] = 3.4028234663852886e38; // largest float32
  v[2] = Math.fround(0.1);
  return v;
}

const METADATAS: (Metadata | null)[] = [
  { s: "text", i: 42, f: 2.5, b: true, ss: ["a", "b"], ns: [1, 2.5, -3], bs: [true, false] },
  { big: 2 ** 53 + 2, tiny: 1e-300, neg: -0.5, unicode: 'é 😀 "q" \\ \n', __proto__key: "x" },
  null,
  { "first name": "Ada", ["__proto__"]: "proto is an ordinary key" } as Metadata,
];

async function seed(client: CairnClient, n = 10) {
  const col = await client.createCollection({
    name: "src",
    metadata: { owner: "team-a", version: 3, public: false },
    configuration: { hnsw: { space: "cosine", ef_search: 77, max_neighbors: 12 } },
    embeddingFunction: new HashEmbeddingFunction({ dimension: 8 }),
  });
  const ids = Array.from({ length: n }, (_, i) => `id-${i}`);
  await col.add({
    ids,
    embeddings: ids.map((_, i) => trickyVector(i, 8)),
    documents: ids.map((_, i) => (i % 3 === 0 ? null : `document ${i} ✓`)),
    metadatas: ids.map((_, i) => METADATAS[i % METADATAS.length]!),
    uris: ids.map((_, i) => (i % 2 === 0 ? `s3://bucket/${i}` : null)),
  });
  return col;
}

function bits(vector: number[]): string {
  return Buffer.from(Float32Array.from(vector).buffer).toString("hex");
}

async function expectSameRecords(a: CairnClient, b: CairnClient, nameA: string, nameB: string) {
  const all = ["embeddings", "documents", "metadatas", "uris"] as const;
  const x = await (await a.getCollection({ name: nameA })).get({ include: [...all] });
  const y = await (await b.getCollection({ name: nameB })).get({ include: [...all] });
  expect(y.ids).toEqual(x.ids);
  expect(y.documents).toEqual(x.documents);
  expect(y.metadatas).toEqual(x.metadatas);
  expect(y.uris).toEqual(x.uris);
  expect(y.embeddings.map(bits)).toEqual(x.embeddings.map(bits));
  // Object.is: -0 stays -0.
  expect(Object.is(y.embeddings[0]![0], -0)).toBe(true);
}

describe("export → import round trip", () => {
  for (const [label, make] of [
    ["persistent", persistent],
    ["ephemeral", ephemeral],
  ] as const) {
    for (const embeddings of ["base64", "numbers"] as const) {
      it(`is lossless for a ${label} client with ${embeddings} vectors`, async () => {
        const source = make();
        const col = await seed(source);
        const sink = memorySink();
        const exported = await exportCollection(col, sink.stream, { embeddings, batchSize: 3 });
        expect(exported.records).toBe(10);
        expect(exported.bytes).toBe(Buffer.byteLength(sink.text()));
        const lines = sink.text().trimEnd().split("\n");
        expect(lines).toHaveLength(11);
        const header = JSON.parse(lines[0]!);
        expect(header).toMatchObject({ cairn: "export", formatVersion: 1, count: 10, embeddings });
        expect(typeof JSON.parse(lines[1]!).embedding).toBe(embeddings === "base64" ? "string" : "object");

        const target = make();
        const result = await importCollection(target, [sink.text()], { batchSize: 4 });
        expect(result).toMatchObject({
          collection: "src",
          created: true,
          records: 10,
          imported: 10,
          skipped: 0,
          expected: 10,
        });
        await expectSameRecords(source, target, "src", "src");
        const copy = await target.getCollection({ name: "src" });
        expect(copy.metadata).toEqual({ owner: "team-a", version: 3, public: false });
        expect(copy.configuration).toEqual(col.configuration);
        expect(copy.configuration.hnsw).toMatchObject({ space: "cosine", ef_search: 77, max_neighbors: 12 });
        expect(copy.embeddingFunction?.name).toBe("hash");
        // The copy answers queries like the source.
        const q = { queryEmbeddings: [Array.from(trickyVector(3, 8))], nResults: 4 };
        expect((await copy.query(q)).ids).toEqual((await col.query(q)).ids);
      });
    }
  }

  it("copies between clients of different kinds under a new name, and an empty collection", async () => {
    const source = persistent();
    await seed(source, 5);
    const sink = memorySink();
    await exportCollection(await source.getCollection({ name: "src" }), sink.stream);
    const target = ephemeral();
    const result = await importCollection(target, [Buffer.from(sink.text())], { name: "renamed" });
    expect(result.collection).toBe("renamed");
    await expectSameRecords(source, target, "src", "renamed");

    const empty = await source.createCollection({ name: "empty", embeddingFunction: null });
    const emptySink = memorySink();
    expect((await exportCollection(empty, emptySink.stream)).records).toBe(0);
    const r = await importCollection(target, [emptySink.text()]);
    expect(r).toMatchObject({ collection: "empty", imported: 0, expected: 0 });
    expect((await target.getCollection({ name: "empty" })).configuration.embedding_function).toBeNull();
  });

  it("reads input split at any byte, with CRLF line ends and a byte-order mark", async () => {
    const source = ephemeral();
    await seed(source, 6);
    const sink = memorySink();
    await exportCollection(await source.getCollection({ name: "src" }), sink.stream);
    const bytes = Buffer.from(`\uFEFF${sink.text().replaceAll("\n", "\r\n")}`);
    // One byte per chunk: multi-byte characters are split across chunks.
    const chunks = Array.from({ length: bytes.length }, (_, i) => bytes.subarray(i, i + 1));
    const target = ephemeral();
    await importCollection(target, chunks);
    await expectSameRecords(source, target, "src", "src");
  });
});

/** An export text of `n` records with 2-d vectors, one line replaced by `bad` at 0-based record index `at`. */
function exportText(n: number, bad?: { at: number; line: string }): string {
  const header = {
    cairn: "export",
    formatVersion: 1,
    cairnVersion: "0.1.0",
    exportedAt: "2026-12-01T00:00:00.000Z",
    embeddings: "numbers",
    collection: {
      name: "pts",
      metadata: null,
      configuration: { hnsw: { space: "l2" }, embedding_function: null },
      dimension: 2,
    },
    count: n,
  };
  const lines = [JSON.stringify(header)];
  for (let i = 0; i < n; i++) {
    lines.push(
      bad?.at === i
        ? bad.line
        : JSON.stringify({ id: `p${i}`, document: null, uri: null, metadata: { i }, embedding: [i, -i] }),
    );
  }
  return `${lines.join("\n")}\n`;
}

describe("malformed input", () => {
  it("names the line, writes nothing of its batch, and --resume completes the import", async () => {
    const client = ephemeral();
    // Record 23 is on line 25 (header = line 1); batches of 10 hold lines 2-11, 12-21, 22-31.
    const broken = exportText(40, { at: 23, line: '{"id":"p23","embedding":[1,' });
    const error = await expectCode(
      importCollection(client, [broken], { batchSize: 10, source: "pts.jsonl" }),
      "INVALID_EXPORT_FILE",
    );
    expect(error.message).toMatch(/^pts\.jsonl line 25: not valid JSON/);
    expect(error.message).toContain(
      "nothing of the batch from line 22 was written; the 20 records before it were",
    );
    expect(error.details).toMatchObject({ line: 25, batchFirstLine: 22, imported: 20 });
    const col = await client.getCollection({ name: "pts" });
    expect(await col.count()).toBe(20);
    expect((await col.get({ ids: ["p19", "p20", "p22"] })).ids).toEqual(["p19"]);

    // Without resume, the records already there are duplicates.
    const dup = await expectCode(
      importCollection(client, [exportText(40)], { batchSize: 10 }),
      "DUPLICATE_ID",
    );
    expect(dup.message).toContain("lines 2-11");
    expect(dup.message).toContain("--resume");
    expect(await col.count()).toBe(20);

    const resumed = await importCollection(client, [exportText(40)], { batchSize: 10, resume: true });
    expect(resumed).toMatchObject({ created: false, records: 40, imported: 20, skipped: 20 });
    const all = await col.get({ include: ["embeddings", "metadatas"] });
    expect(all.ids).toEqual(Array.from({ length: 40 }, (_, i) => `p${i}`));
    expect(all.embeddings[23]).toEqual([23, -23]);
    expect(all.metadatas[39]).toEqual({ i: 39 });
  });

  const cases: [string, string, RegExp][] = [
    ["an unknown field", '{"id":"x","embedding":[1,2],"vector":[1]}', /line 5: unknown field "vector"/],
    ["a missing id", '{"embedding":[1,2]}', /line 5: id: expected a non-empty string/],
    ["a missing embedding", '{"id":"x"}', /line 5: embedding: missing/],
    [
      "a wrong dimension",
      '{"id":"x","embedding":[1,2,3]}',
      /line 5: embedding: has 3 dimensions; the header says 2/,
    ],
    ["bad base64", '{"id":"x","embedding":"@@@@"}', /line 5: embedding: not valid base64/],
    [
      "a non-number in a vector",
      '{"id":"x","embedding":[1,"2"]}',
      /line 5: embedding\[1\]: expected a number/,
    ],
    [
      "a bad metadata value",
      '{"id":"x","embedding":[1,2],"metadata":{"k":[]}}',
      /line 5: metadata\.k: arrays must be non-empty/,
    ],
    [
      "a null metadata value",
      '{"id":"x","embedding":[1,2],"metadata":{"k":null}}',
      /line 5: metadata\.k: null/,
    ],
    [
      "a number document",
      '{"id":"x","embedding":[1,2],"document":7}',
      /line 5: document: expected a string or null/,
    ],
    ["an array line", "[1,2]", /line 5: expected a record object/],
    [
      "a duplicate id in the batch",
      '{"id":"p0","embedding":[1,2]}',
      /line 5: id "p0" appears twice in the batch/,
    ],
  ];
  for (const [what, line, message] of cases) {
    it(`rejects ${what} with the line number and writes nothing of the batch`, async () => {
      const client = ephemeral();
      const error = await expectCode(
        importCollection(client, [exportText(6, { at: 3, line })]),
        "INVALID_EXPORT_FILE",
      );
      expect(error.message).toMatch(message);
      expect(await (await client.getCollection({ name: "pts" })).count()).toBe(0);
    });
  }

  it("rejects a file that is not an export, an empty one, and one from a newer format", async () => {
    const client = ephemeral();
    await expectCode(importCollection(client, []), "INVALID_EXPORT_FILE");
    const notExport = await expectCode(importCollection(client, ['{"id":"a"}\n']), "INVALID_EXPORT_FILE");
    expect(notExport.message).toContain("input line 1: not a Cairn export file");
    const newer = exportText(1).replace('"formatVersion":1', '"formatVersion":2');
    const e = await expectCode(importCollection(client, [newer]), "INVALID_EXPORT_FILE");
    expect(e.message).toContain("written by a newer Cairn");
    const badConfig = exportText(1).replace('"space":"l2"', '"space":"manhattan"');
    expect(
      (await expectCode(importCollection(client, [badConfig]), "INVALID_EXPORT_FILE")).message,
    ).toContain("configuration.hnsw.space");
    expect(await client.countCollections()).toBe(0);
  });
});

describe("an existing collection", () => {
  it("is refused when its space, embedding function or dimension differs (the flag allows the first two)", async () => {
    const client = ephemeral();
    await client.createCollection({
      name: "pts",
      configuration: { hnsw: { space: "cosine" } },
      embeddingFunction: null,
    });
    const space = await expectCode(importCollection(client, [exportText(3)]), "IMPORT_CONFLICT");
    expect(space.message).toContain("uses the cosine space; the file's collection used l2");
    const forced = await importCollection(client, [exportText(3)], { allowConfigMismatch: true });
    expect(forced).toMatchObject({ created: false, imported: 3 });

    await client.createCollection({
      name: "hashed",
      embeddingFunction: new HashEmbeddingFunction({ dimension: 2 }),
    });
    const withEf = exportText(2)
      .replace('"name":"pts"', '"name":"hashed"')
      .replace('"space":"l2"', '"space":"cosine"')
      .replace(
        '"embedding_function":null',
        '"embedding_function":{"type":"known","name":"hash","config":{"dimension":3}}',
      );
    const ef = await expectCode(importCollection(client, [withEf]), "IMPORT_CONFLICT");
    expect(ef.message).toContain("was created with hash(2 dims)");

    const threeD = await client.createCollection({ name: "three", embeddingFunction: null });
    await threeD.add({ ids: ["z"], embeddings: [[1, 2, 3]] });
    const dims = exportText(2).replace('"name":"pts"', '"name":"three"');
    const dim = await expectCode(
      importCollection(client, [dims], { allowConfigMismatch: true }),
      "IMPORT_CONFLICT",
    );
    expect(dim.message).toContain("holds 3-dimensional vectors; the file's are 2-dimensional");
  });

  it("validates its options", async () => {
    const client = ephemeral();
    await expectCode(importCollection(client, [exportText(1)], { batchSize: 0 }), "INVALID_ARGUMENT");
    await expectCode(importCollection(client, [exportText(1)], { bogus: 1 } as never), "INVALID_ARGUMENT");
    const col = await client.createCollection({ name: "ccc", embeddingFunction: null });
    await expectCode(
      exportCollection(col, memorySink().stream, { embeddings: "hex" as never }),
      "INVALID_ARGUMENT",
    );
  });
});
