/**
 * HttpClient specifics: base64 writes after a cached pre-flight, errors rebuilt from the server's `code` (or
 * from the status when a Chroma server sends none), connection refused, timeouts, options. The app is served
 * through an injected `fetch` (no socket) except where a socket is the point.
 */
import { createServer, type Server } from "node:net";
import {
  type CairnClient,
  CairnError,
  ConflictError,
  ConnectionError,
  DimensionMismatchError,
  EphemeralClient,
  HttpClient,
  type HttpClientOptions,
  NotFoundError,
  UnsupportedError,
} from "@cairndb/core";
import { expectCode, LetterEmbeddingFunction } from "@cairndb/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createApp } from "../src";
import { freePort } from "./helpers";

let engine: EphemeralClient;
let app: ReturnType<typeof createApp>;
let seen: { method: string; path: string; body: string | undefined }[];

beforeEach(() => {
  engine = new EphemeralClient();
  app = createApp(engine);
  seen = [];
});
afterEach(() => engine.close());

/** An HttpClient whose requests go straight into the app; `rewrite` may alter responses. */
function connect(
  options: HttpClientOptions = {},
  rewrite?: (path: string, res: Response) => Promise<Response> | Response,
): HttpClient {
  return new HttpClient({
    ...options,
    fetch: async (url, init) => {
      const path = new URL(url).pathname;
      seen.push({ method: init.method ?? "GET", path, body: init.body as string | undefined });
      const res = await app.fetch(new Request(url, init));
      return rewrite ? rewrite(path, res) : res;
    },
  });
}

/** An HttpClient against a fake server that answers every request with `status` and `body` (no `code`). */
function chromaLike(status: number, body: unknown): HttpClient {
  return new HttpClient({
    fetch: async () =>
      new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } }),
  });
}

describe("HttpClient wire", () => {
  it("asks pre-flight once, then sends write embeddings as base64 float32; query vectors stay arrays", async () => {
    const client = connect();
    const col = await client.createCollection({ name: "wire", embeddingFunction: null });
    await col.add({ ids: ["a"], embeddings: [[1, 0.5]] });
    await col.upsert({ ids: ["b"], embeddings: [[0, 1]] });
    await col.query({ queryEmbeddings: [[1, 0]] });
    expect(seen.filter((r) => r.path === "/api/v2/pre-flight-checks")).toHaveLength(1);
    const add = JSON.parse(seen.find((r) => r.path.endsWith("/add"))!.body!);
    expect(add.embeddings).toEqual([Buffer.from(new Float32Array([1, 0.5]).buffer).toString("base64")]);
    expect(JSON.parse(seen.find((r) => r.path.endsWith("/query"))!.body!).query_embeddings).toEqual([[1, 0]]);
    expect((await col.get({ include: ["embeddings"] })).embeddings).toEqual([
      [1, 0.5],
      [0, 1],
    ]);
  });

  it("sends plain arrays when the server does not support base64", async () => {
    const client = connect({}, (path, res) =>
      path === "/api/v2/pre-flight-checks"
        ? Response.json({ max_batch_size: 100, supports_base64_encoding: false })
        : res,
    );
    const col = await client.createCollection({ name: "plain", embeddingFunction: null });
    await col.add({ ids: ["a"], embeddings: [[1, 2]] });
    expect(JSON.parse(seen.find((r) => r.path.endsWith("/add"))!.body!).embeddings).toEqual([[1, 2]]);
  });

  it("write options go to a Cairn server in the body's `cairn` field: one request, no read first", async () => {
    const client = connect();
    const col = await client.createCollection({ name: "opts", embeddingFunction: null });
    await col.add({ ids: ["a"], embeddings: [[1, 2]], metadatas: [{ x: 1, y: 2 }] });
    seen = [];
    await col.upsert({ ids: ["a"], embeddings: [[1, 2]], metadatas: [{ z: 3 }] }, { metadata: "replace" });
    await col.add(
      {
        ids: ["a", "b"],
        embeddings: [
          [0, 1],
          [0, 1],
        ],
      },
      { onDuplicate: "ignore" },
    );
    expect(seen.map((r) => r.path.split("/").at(-1))).toEqual(["upsert", "add"]);
    expect(JSON.parse(seen[0]!.body!).cairn).toEqual({ metadata: "replace" });
    expect(JSON.parse(seen[1]!.body!).cairn).toEqual({ on_duplicate: "ignore" });
    expect((await col.get({ include: ["metadatas"] })).metadatas).toEqual([{ z: 3 }, null]);
    // A plain add says "error" explicitly, so a server running with onDuplicate "ignore" cannot change it.
    app = createApp(engine, { onDuplicate: "ignore" });
    await expectCode(col.add({ ids: ["a"], embeddings: [[1, 2]] }), "DUPLICATE_ID");
  });

  it("to a server without Cairn's write options a replacing upsert is emulated (read, then null stale keys)", async () => {
    const client = connect({}, (path, res) =>
      path === "/api/v2/pre-flight-checks"
        ? Response.json({ max_batch_size: 100, supports_base64_encoding: true })
        : res,
    );
    const col = await client.createCollection({ name: "chroma-like", embeddingFunction: null });
    await col.add({ ids: ["a"], embeddings: [[1, 2]], metadatas: [{ x: 1, y: 2 }] });
    seen = [];
    await col.upsert(
      {
        ids: ["a", "b"],
        embeddings: [
          [1, 2],
          [2, 1],
        ],
        metadatas: [{ x: 5 }, { n: 1 }],
      },
      { metadata: "replace" },
    );
    expect(seen.map((r) => r.path.split("/").at(-1))).toEqual(["get", "upsert"]);
    const sent = JSON.parse(seen[1]!.body!);
    expect(sent.cairn).toBeUndefined();
    expect(sent.metadatas).toEqual([{ x: 5, y: null }, { n: 1 }]);
    expect((await col.get({ include: ["metadatas"] })).metadatas).toEqual([{ x: 5 }, { n: 1 }]);
    seen = [];
    await col.add({ ids: ["c"], embeddings: [[3, 3]] }, { onDuplicate: "ignore" });
    expect(JSON.parse(seen[0]!.body!).cairn).toBeUndefined();
  });

  it("update re-embeds changed documents only; records without a new vector keep theirs (null on the wire)", async () => {
    const client = connect();
    const col = await client.createCollection({
      name: "holes",
      embeddingFunction: new LetterEmbeddingFunction(3),
    });
    await col.add({
      ids: ["a", "b"],
      embeddings: [
        [1, 0, 0],
        [0, 1, 0],
      ],
      documents: ["first", "second"],
    });
    await col.update({ ids: ["a", "b"], documents: ["ccc", null], metadatas: [{ m: 1 }, { m: 2 }] });
    const sent = JSON.parse(seen.find((r) => r.path.endsWith("/update"))!.body!);
    expect(sent.embeddings[1]).toBeNull();
    const r = await col.get({ include: ["embeddings", "documents", "metadatas"] });
    expect(r.documents).toEqual(["ccc", "second"]);
    expect(r.metadatas).toEqual([{ m: 1 }, { m: 2 }]);
    expect(r.embeddings[0]![2]).toBeCloseTo(3.01, 5);
    expect(r.embeddings[1]).toEqual([0, 1, 0]);
  });

  it("withDatabase addresses another database over the same client", async () => {
    const client = connect();
    await client.createDatabase({ name: "second" });
    const other: CairnClient = client.withDatabase({ database: "second" });
    const col = await other.createCollection({ name: "there", embeddingFunction: null });
    await col.add({ ids: ["a"], embeddings: [[1]] });
    expect(seen.at(-1)!.path).toContain("/databases/second/collections/");
    expect(await client.countCollections()).toBe(0);
    expect(await other.countCollections()).toBe(1);
  });
});

describe("HttpClient errors", () => {
  it("rebuilds the server's code as the same error class", async () => {
    const client = connect();
    const col = await client.createCollection({ name: "errs", embeddingFunction: null });
    await col.add({ ids: ["a"], embeddings: [[1, 2]] });
    expect(await expectCode(col.add({ ids: ["a"], embeddings: [[1, 2]] }), "DUPLICATE_ID")).toBeInstanceOf(
      ConflictError,
    );
    expect(
      await expectCode(col.add({ ids: ["b"], embeddings: [[1, 2, 3]] }), "DIMENSION_MISMATCH"),
    ).toBeInstanceOf(DimensionMismatchError);
    expect(
      await expectCode(client.getCollection({ name: "nope-nope" }), "COLLECTION_NOT_FOUND"),
    ).toBeInstanceOf(NotFoundError);
    const err = await expectCode(col.update({ ids: ["zz"], embeddings: [[1, 2]] }), "NOT_FOUND");
    expect(err.details).toMatchObject({ status: 404, error: "NotFoundError" });
  });

  it("falls back on the status (and Chroma's well-known messages) when the server sends no code", async () => {
    const notFound = await expectCode(
      chromaLike(404, { error: "NotFoundError", message: "Collection [x] does not exists" }).getCollection({
        name: "xyz",
      }),
      "COLLECTION_NOT_FOUND",
    );
    expect(notFound).toBeInstanceOf(NotFoundError);
    await expectCode(
      chromaLike(409, { error: "ChromaError", message: "Collection [x] already exists" }).createCollection({
        name: "xyz",
        embeddingFunction: null,
      }),
      "COLLECTION_EXISTS",
    );
    await expectCode(
      chromaLike(409, { error: "ChromaError", message: "exists" }).createTenant({ name: "xyz" }),
      "TENANT_EXISTS",
    );
    await expectCode(chromaLike(404, {}).getDatabase({ name: "xyz" }), "DATABASE_NOT_FOUND");
    await expectCode(
      chromaLike(400, {
        error: "InvalidArgumentError",
        message: "Collection expecting embedding with dimension of 3, got 2",
      }).createTenant({ name: "xyz" }),
      "DIMENSION_MISMATCH",
    );
    await expectCode(
      chromaLike(400, { error: "InvalidArgumentError", message: "Invalid where clause" }).createTenant({
        name: "xyz",
      }),
      "INVALID_FILTER",
    );
    expect(
      await expectCode(chromaLike(501, { error: "ChromaError", message: "no" }).version(), "UNSUPPORTED"),
    ).toBeInstanceOf(UnsupportedError);
    const internal = await expectCode(
      chromaLike(500, { error: "InternalError", message: "boom" }).version(),
      "INTERNAL",
    );
    expect(internal).toBeInstanceOf(CairnError);
    expect(internal.message).toBe("boom");
  });

  it("connection refused → ConnectionError CONNECTION_FAILED", async () => {
    const client = new HttpClient({ host: "127.0.0.1", port: await freePort() });
    const error = await expectCode(client.heartbeat(), "CONNECTION_FAILED");
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error.message).toContain("ECONNREFUSED");
  });

  it("no answer within timeoutMs → TIMEOUT", async () => {
    const sockets: import("node:net").Socket[] = [];
    const silent: Server = createServer((socket) => sockets.push(socket)); // accepts, never answers
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const port = (silent.address() as { port: number }).port;
    try {
      const started = Date.now();
      const error = await expectCode(
        new HttpClient({ host: "127.0.0.1", port, timeoutMs: 200 }).heartbeat(),
        "TIMEOUT",
      );
      expect(error).toBeInstanceOf(ConnectionError);
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((r) => silent.close(r));
    }
  });

  it("validates its options and refuses calls after close", async () => {
    expect(() => new HttpClient({ prot: 1 } as never)).toThrow(/Did you mean "port"/);
    expect(() => new HttpClient({ port: 70_000 })).toThrow(CairnError);
    expect(() => new HttpClient({ path: "not a url" })).toThrow(CairnError);
    expect(new HttpClient({ path: "https://example.test:9000/" }).url).toBe("https://example.test:9000");
    expect(new HttpClient({ host: "::1", port: 1234 }).url).toBe("http://[::1]:1234");
    const client = connect();
    await client.close();
    await expectCode(client.heartbeat(), "CLIENT_CLOSED");
  });
});
