/**
 * The HTTP layer in process (`app.request`, no socket): status codes, Chroma error bodies plus our `code`,
 * request-shape checks, Collection JSON, base64 embeddings, and the Chroma-specific routes.
 */
import { type CairnClient, EphemeralClient } from "@cairndb/core";
import { expectCode } from "@cairndb/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createApp } from "../src";

const T = "/api/v2/tenants/default_tenant/databases/default_database";
const C = `${T}/collections`;
let client: CairnClient;
let calls: string[];
let app: ReturnType<typeof createApp>;

/** Records every client method the server calls, to prove malformed bodies never reach it. */
function spy(target: CairnClient): CairnClient {
  return new Proxy(target, {
    get(obj, key, receiver) {
      const value = Reflect.get(obj, key, receiver);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        calls.push(String(key));
        return value.apply(obj, args);
      };
    },
  });
}

async function call(method: string, path: string, body?: unknown, raw?: string) {
  const init: RequestInit = { method, headers: { "content-type": "application/json" } };
  if (raw !== undefined) init.body = raw;
  else if (body !== undefined) init.body = JSON.stringify(body);
  const res = await app.request(path, init);
  const text = await res.text();
  return { status: res.status, text, json: text ? JSON.parse(text) : undefined, headers: res.headers };
}

async function createCollection(name = "things", extra: Record<string, unknown> = {}): Promise<string> {
  const r = await call("POST", C, { name, ...extra });
  expect(r.status).toBe(200);
  return r.json.id as string;
}

beforeEach(() => {
  calls = [];
  client = new EphemeralClient();
  app = createApp(spy(client), { maxBodyBytes: 64 * 1024 });
});
afterEach(async () => client.close());

describe("withDatabase (the per-request view of the one client)", () => {
  it("scopes collections to another database over the same connection", async () => {
    await client.createDatabase({ name: "other" });
    const other = client.withDatabase({ database: "other" });
    expect(other).toBeInstanceOf(EphemeralClient);
    expect([other.tenant, other.database]).toEqual(["default_tenant", "other"]);
    await other.createCollection({ name: "only-here", embeddingFunction: null });
    expect(await other.countCollections()).toBe(1);
    expect(await client.countCollections()).toBe(0);
    expect(client.database).toBe("default_database");
    await expectCode(
      Promise.resolve().then(() => client.withDatabase({ databse: "x" } as never)),
      "UNKNOWN_OPTION",
    );
    await expectCode(
      Promise.resolve().then(() => client.withDatabase({ database: "x" })),
      "INVALID_ARGUMENT",
    );
  });
});

describe("routing", () => {
  it("unknown route → 404 with an empty body", async () => {
    for (const path of ["/nope", "/api/v2/nope", `${C}/x/y/z/w`]) {
      const r = await call("GET", path);
      expect(r.status).toBe(404);
      expect(r.text).toBe("");
    }
  });

  it("wrong method on a known route → 405 with Allow and a message", async () => {
    const r = await call("DELETE", "/api/v2/heartbeat");
    expect(r.status).toBe(405);
    expect(r.headers.get("allow")).toBe("GET,HEAD");
    expect(r.json).toMatchObject({ error: "ChromaError", code: "INVALID_ARGUMENT" });
    expect((await call("PATCH", C)).status).toBe(405);
  });

  it("v1 → 410 Unimplemented; /api/v2 is a heartbeat alias", async () => {
    const r = await call("GET", "/api/v1/heartbeat");
    expect(r.status).toBe(410);
    expect(r.json.error).toBe("Unimplemented");
    expect((await call("GET", "/api/v2")).json["nanosecond heartbeat"]).toBeGreaterThan(0);
  });

  it("system routes answer like Chroma", async () => {
    expect((await call("GET", "/api/v2/pre-flight-checks")).json).toEqual({
      max_batch_size: 5461,
      supports_base64_encoding: true,
      cairn_write_options: true,
    });
    expect((await call("GET", "/api/v2/healthcheck")).json).toEqual({
      is_executor_ready: true,
      is_log_client_ready: true,
    });
    expect((await call("GET", "/api/v2/auth/identity")).json).toEqual({
      user_id: "",
      tenant: "default_tenant",
      databases: ["default_database"],
    });
    expect(typeof (await call("GET", "/api/v2/version")).json).toBe("string");
  });

  it("reset is 403 RESET_DISABLED unless allowed", async () => {
    const r = await call("POST", "/api/v2/reset");
    expect(r.status).toBe(403);
    expect(r.json).toMatchObject({ error: "ChromaError", code: "RESET_DISABLED" });
    const open = new EphemeralClient({ allowReset: true });
    app = createApp(open, { allowReset: true });
    await createCollection();
    expect((await call("POST", "/api/v2/reset")).json).toBe(true);
    expect((await call("GET", `${T}/collections_count`)).json).toBe(0);
    await open.close();
  });
});

describe("request bodies", () => {
  it("unparsable or empty JSON → 400 InvalidArgumentError", async () => {
    for (const raw of ['{"name":', "", "not json"]) {
      const r = await call("POST", C, undefined, raw);
      expect(r.status).toBe(400);
      expect(r.json).toMatchObject({ error: "InvalidArgumentError", code: "INVALID_ARGUMENT" });
      expect(r.json.message).toMatch(/^Failed to parse the request body as JSON/);
    }
  });

  it("wrong shapes → 422 with the JSON path, and never reach the client", async () => {
    const id = await createCollection();
    calls = [];
    const cases: [string, unknown, string][] = [
      [`${C}/${id}/add`, { ids: ["a"] }, "INVALID_ARGUMENT"],
      [`${C}/${id}/add`, { ids: "a", embeddings: [[1]] }, "INVALID_ARGUMENT"],
      [`${C}/${id}/add`, { ids: ["a"], embeddings: [[1]], extra: 1 }, "UNKNOWN_OPTION"],
      [
        `${C}/${id}/add`,
        { ids: ["a"], embeddings: [[1]], metadatas: [{ k: { nested: 1 } }] },
        "INVALID_ARGUMENT",
      ],
      [`${C}/${id}/get`, { limit: -1 }, "INVALID_ARGUMENT"],
      [`${C}/${id}/get`, { include: ["bogus"] }, "INVALID_ARGUMENT"],
      [`${C}/${id}/query`, { query_embeddings: ["AACAPw=="] }, "INVALID_ARGUMENT"],
      [`${C}/${id}/query`, { query_embeddings: [[1]], n_results: "3" }, "INVALID_ARGUMENT"],
      [C, { name: "x1x", configuration: { hnsw: { foo: 1 } } }, "UNKNOWN_OPTION"],
      [C, { name: "x1x", configuration: { hnsw: { space: "manhattan" } } }, "INVALID_ARGUMENT"],
      [C, [], "INVALID_ARGUMENT"],
    ];
    for (const [path, body, code] of cases) {
      const r = await call("POST", path, body);
      expect(r.status, JSON.stringify(body)).toBe(422);
      expect(r.json).toMatchObject({ error: "ChromaError", code });
      expect(r.json.message).toMatch(/^Failed to deserialize the JSON body into the target type: /);
    }
    expect(calls).toEqual([]);
  });

  it("a body above maxBodyBytes → 413 PAYLOAD_TOO_LARGE with a message", async () => {
    const id = await createCollection();
    const r = await call("POST", `${C}/${id}/add`, { ids: ["a"], embeddings: [new Array(20_000).fill(0.5)] });
    expect(r.status).toBe(413);
    expect(r.json.code).toBe("PAYLOAD_TOO_LARGE");
    expect(r.json.message).toContain(String(64 * 1024));
  });

  it("a bad query parameter → 400", async () => {
    const r = await call("GET", `${C}?limit=abc`);
    expect(r.status).toBe(400);
    expect(r.json.code).toBe("INVALID_ARGUMENT");
  });
});

describe("collections", () => {
  it("Collection JSON has exactly Chroma's fields", async () => {
    const r = await call("POST", C, {
      name: "shape",
      metadata: { owner: "me" },
      configuration: { hnsw: { space: "cosine" } },
    });
    expect(Object.keys(r.json).sort()).toEqual(
      [
        "configuration_json",
        "database",
        "dimension",
        "id",
        "log_position",
        "metadata",
        "name",
        "schema",
        "tenant",
        "version",
      ].sort(),
    );
    expect(r.json).toMatchObject({
      metadata: { owner: "me" },
      dimension: null,
      log_position: 0,
      version: 0,
      schema: null,
    });
    expect(r.json.configuration_json).toEqual({
      hnsw: {
        space: "cosine",
        ef_construction: 100,
        ef_search: 100,
        max_neighbors: 16,
        resize_factor: 1.2,
        sync_threshold: 1000,
      },
      spann: null,
      embedding_function: null,
    });
  });

  it("no space given → l2, even with a known embedding function identity", async () => {
    const ef = { type: "known", name: "default", config: {} };
    const r = await call("POST", C, { name: "with-ef", configuration: { embedding_function: ef } });
    expect(r.json.configuration_json.hnsw.space).toBe("l2");
    expect(r.json.configuration_json.embedding_function).toEqual(ef);
  });

  it("errors carry Chroma's kind and our code", async () => {
    await createCollection("dup");
    expect((await call("POST", C, { name: "dup" })).json).toMatchObject({
      error: "ChromaError",
      code: "COLLECTION_EXISTS",
    });
    expect((await call("POST", C, { name: "dup", get_or_create: true })).status).toBe(200);
    const missing = await call("GET", `${C}/nope-nope`);
    expect(missing.status).toBe(404);
    expect(missing.json).toMatchObject({ error: "NotFoundError", code: "COLLECTION_NOT_FOUND" });
    expect((await call("POST", C, { name: "ab" })).json).toMatchObject({
      error: "InvalidArgumentError",
      code: "INVALID_COLLECTION_NAME",
    });
  });

  it("by-id, CRN, rename conflict, fork 501, fork_count, count", async () => {
    const id = await createCollection("alpha");
    await createCollection("beta");
    expect((await call("GET", `${C}/by-id/${id}`)).json.name).toBe("alpha");
    expect((await call("GET", "/api/v2/collections/default_tenant:default_database:alpha")).json.id).toBe(id);
    expect((await call("GET", "/api/v2/collections/nocolons")).status).toBe(400);
    expect((await call("PUT", `${C}/${id}`, { new_name: "beta" })).json.code).toBe("COLLECTION_EXISTS");
    const fork = await call("POST", `${C}/${id}/fork`, { new_name: "gamma" });
    expect(fork.status).toBe(501);
    expect(fork.json).toMatchObject({ error: "ChromaError", code: "UNSUPPORTED" });
    expect((await call("POST", `${C}/${id}/search`, { searches: [] })).status).toBe(501);
    expect((await call("GET", `${C}/${id}/fork_count`)).json).toEqual({ count: 0 });
    expect((await call("GET", `${T}/collections_count`)).json).toBe(2);
  });

  it("record routes need a UUID of this tenant and database", async () => {
    const id = await createCollection();
    expect((await call("GET", `${C}/not-a-uuid/count`)).status).toBe(400);
    await call("POST", "/api/v2/tenants/default_tenant/databases", { name: "other" });
    const elsewhere = await call(
      "GET",
      `/api/v2/tenants/default_tenant/databases/other/collections/${id}/count`,
    );
    expect(elsewhere.status).toBe(404);
    expect(elsewhere.json.code).toBe("COLLECTION_NOT_FOUND");
  });
});

describe("records", () => {
  it("add is 201; base64 float32 embeddings decode exactly; get echoes include with nulls", async () => {
    const id = await createCollection();
    const b64 = Buffer.from(new Float32Array([1, 0.5, -2]).buffer).toString("base64");
    const add = await call("POST", `${C}/${id}/add`, {
      ids: ["a", "b"],
      embeddings: [b64, [0, 0, 1]],
      documents: ["x", null],
    });
    expect(add.status).toBe(201);
    expect(add.json).toEqual({});
    const r = await call("POST", `${C}/${id}/get`, { include: ["embeddings", "distances"] });
    expect(r.json).toEqual({
      ids: ["a", "b"],
      embeddings: [
        [1, 0.5, -2],
        [0, 0, 1],
      ],
      documents: null,
      uris: null,
      metadatas: null,
      include: ["embeddings", "distances"],
    });
    expect((await call("POST", `${C}/${id}/add`, { ids: ["c"], embeddings: ["!!!="] })).status).toBe(400);
  });

  it("add of an existing id → 409 DUPLICATE_ID; update of a missing id → 404 NOT_FOUND", async () => {
    const id = await createCollection();
    await call("POST", `${C}/${id}/add`, { ids: ["a"], embeddings: [[1, 0]] });
    expect((await call("POST", `${C}/${id}/add`, { ids: ["a"], embeddings: [[1, 0]] })).json).toMatchObject({
      code: "DUPLICATE_ID",
    });
    const r = await call("POST", `${C}/${id}/update`, { ids: ["zz"], metadatas: [{ k: 1 }] });
    expect(r.status).toBe(404);
    expect(r.json.code).toBe("NOT_FOUND");
  });

  it("update with null embeddings keeps those vectors; a document without one is refused", async () => {
    const id = await createCollection();
    await call("POST", `${C}/${id}/add`, {
      ids: ["a", "b"],
      embeddings: [
        [1, 0],
        [0, 1],
      ],
      documents: ["da", "db"],
    });
    const ok = await call("POST", `${C}/${id}/update`, {
      ids: ["a", "b"],
      embeddings: [[5, 5], null],
      metadatas: [{ m: 1 }, { m: 2 }],
    });
    expect(ok.status).toBe(200);
    const r = await call("POST", `${C}/${id}/get`, { include: ["embeddings", "metadatas", "documents"] });
    expect(r.json.embeddings).toEqual([
      [5, 5],
      [0, 1],
    ]);
    expect(r.json.metadatas).toEqual([{ m: 1 }, { m: 2 }]);
    expect(r.json.documents).toEqual(["da", "db"]);
    const refused = await call("POST", `${C}/${id}/update`, { ids: ["a"], documents: ["new"] });
    expect(refused.status).toBe(400);
    expect(refused.json.code).toBe("EMBEDDING_FUNCTION_MISSING");
  });

  it("a mixed update is one transaction: a missing id among kept vectors writes nothing", async () => {
    const id = await createCollection();
    await call("POST", `${C}/${id}/add`, { ids: ["a"], embeddings: [[1, 0]], metadatas: [{ m: 0 }] });
    const r = await call("POST", `${C}/${id}/update`, {
      ids: ["a", "zz"],
      embeddings: [[5, 5], null],
      metadatas: [{ m: 1 }, { m: 2 }],
    });
    expect(r.status).toBe(404);
    expect(r.json.code).toBe("NOT_FOUND");
    const got = await call("POST", `${C}/${id}/get`, { include: ["embeddings", "metadatas"] });
    expect(got.json.embeddings).toEqual([[1, 0]]);
    expect(got.json.metadatas).toEqual([{ m: 0 }]);
  });

  it("Cairn's write options travel in the `cairn` body field; the pre-flight check announces them", async () => {
    expect((await call("GET", "/api/v2/pre-flight-checks")).json.cairn_write_options).toBe(true);
    const id = await createCollection();
    await call("POST", `${C}/${id}/add`, { ids: ["a"], embeddings: [[1, 0]], metadatas: [{ x: 1, y: 2 }] });
    const ignored = await call("POST", `${C}/${id}/add`, {
      ids: ["a", "b"],
      embeddings: [
        [0, 1],
        [0, 1],
      ],
      cairn: { on_duplicate: "ignore" },
    });
    expect(ignored.status).toBe(201);
    const replaced = await call("POST", `${C}/${id}/upsert`, {
      ids: ["a"],
      embeddings: [[1, 1]],
      metadatas: [{ z: 3 }],
      cairn: { metadata: "replace" },
    });
    expect(replaced.status).toBe(200);
    const got = await call("POST", `${C}/${id}/get`, { include: ["metadatas", "embeddings"] });
    expect(got.json.ids).toEqual(["a", "b"]);
    expect(got.json.metadatas).toEqual([{ z: 3 }, null]);
    expect(got.json.embeddings).toEqual([
      [1, 1],
      [0, 1],
    ]);
    for (const [verb, cairn] of [
      ["add", { on_duplicate: "skip" }],
      ["upsert", { metadata: "overwrite" }],
      ["upsert", { on_duplicate: "ignore" }],
    ] as const) {
      const bad = await call("POST", `${C}/${id}/${verb}`, { ids: ["c"], embeddings: [[1, 0]], cairn });
      expect(bad.status, JSON.stringify(cairn)).toBe(422);
    }
  });

  it('onDuplicate "ignore" as the server default; a request can still ask for the error', async () => {
    app = createApp(client, { onDuplicate: "ignore" });
    const id = await createCollection();
    await call("POST", `${C}/${id}/add`, { ids: ["a"], embeddings: [[1, 0]], documents: ["old"] });
    const plain = await call("POST", `${C}/${id}/add`, {
      ids: ["a", "b"],
      embeddings: [
        [0, 1],
        [0, 1],
      ],
    });
    expect(plain.status).toBe(201);
    const strict = await call("POST", `${C}/${id}/add`, {
      ids: ["a", "c"],
      embeddings: [
        [0, 1],
        [0, 1],
      ],
      cairn: { on_duplicate: "error" },
    });
    expect(strict.status).toBe(409);
    expect(strict.json.code).toBe("DUPLICATE_ID");
    const got = await call("POST", `${C}/${id}/get`, { include: ["documents"] });
    expect(got.json.ids).toEqual(["a", "b"]);
    expect(got.json.documents).toEqual(["old", null]);
    expect(() => createApp(client, { onDuplicate: "skip" as never })).toThrow(/onDuplicate/);
  });

  it("query returns one row per embedding with nulls for excluded fields; delete returns the count", async () => {
    const id = await createCollection();
    await call("POST", `${C}/${id}/add`, {
      ids: ["a", "b", "c"],
      embeddings: [
        [1, 0],
        [0, 1],
        [3, 4],
      ],
      metadatas: [{ g: 1 }, { g: 1 }, { g: 2 }],
    });
    const q = await call("POST", `${C}/${id}/query`, {
      query_embeddings: [[2, 1]],
      n_results: 2,
      include: ["distances"],
    });
    expect(q.json.ids).toEqual([["a", "b"]]);
    expect(q.json.distances[0][0]).toBeCloseTo(2, 5);
    expect(q.json).toMatchObject({
      documents: null,
      metadatas: null,
      embeddings: null,
      uris: null,
      include: ["distances"],
    });
    expect((await call("POST", `${C}/${id}/query`, { query_embeddings: [] })).json.ids).toEqual([]);
    expect((await call("POST", `${C}/${id}/delete`, { where: { g: 1 }, limit: 1 })).json).toEqual({
      deleted: 1,
    });
    expect((await call("GET", `${C}/${id}/count`)).json).toBe(2);
    expect((await call("GET", `${C}/${id}/indexing_status`)).json).toEqual({
      num_indexed_ops: 2,
      num_unindexed_ops: 0,
      op_indexing_progress: 1,
      total_ops: 2,
    });
    expect((await call("POST", `${C}/${id}/get`, { where: { a: 1, b: 2 } })).json).toMatchObject({
      error: "InvalidArgumentError",
      code: "INVALID_FILTER",
    });
  });
});
