/**
 * Request logs: through the CLI's JSON logger every request is one valid JSON line with `req_id`, method,
 * route template, status and duration (and tenant / database / collection from the path); the request id is
 * echoed in `X-Request-Id` (a sane incoming one is kept, anything else replaced); and no token, header value,
 * query string or document text the test sent ever appears in the log, error answers included.
 */
import { randomUUID } from "node:crypto";
import { Writable } from "node:stream";
import { type CairnClient, EphemeralClient } from "@cairndb/core";
import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createApp, REQUEST_ID_PATTERN } from "../src";
import { createJsonLogger } from "../src/commands/json-logger";

const DB = "/api/v2/tenants/default_tenant/databases/default_database";
const C = `${DB}/collections`;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

let client: CairnClient;
let log: string;
let app: ReturnType<typeof createApp>;

beforeEach(() => {
  client = new EphemeralClient();
  log = "";
  const stream = new Writable({
    write(chunk, _enc, done) {
      log += String(chunk);
      done();
    },
  });
  app = createApp(client, { logger: createJsonLogger(stream), logLevel: "debug" });
});
afterEach(() => client.close());

async function send(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await app.request(path, {
    method,
    headers: { "content-type": "application/json", ...headers },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: res.status, id: res.headers.get("x-request-id"), text: await res.text() };
}

const lines = () =>
  log
    .trimEnd()
    .split("\n")
    .filter((l) => l.length > 0)
    .map((line) => JSON.parse(line) as Record<string, unknown>);

describe("request log lines", () => {
  it("one JSON line per request with req_id, route template, status, duration and the path's names", async () => {
    await send("POST", C, { name: "docs" });
    const id = (await client.getCollection({ name: "docs" })).id;
    const res = await send("GET", `${C}/${id}/count`);
    const entries = lines();
    expect(entries).toHaveLength(2);
    expect(entries[1]).toMatchObject({
      level: "info",
      req_id: res.id,
      method: "GET",
      route: "/api/v2/tenants/{tenant}/databases/{database}/collections/{collection_id}/count",
      path: `${C}/${id}/count`,
      status: 200,
      tenant: "default_tenant",
      database: "default_database",
      collection: id,
    });
    expect(typeof entries[1]!.duration_ms).toBe("number");
    expect(Number.isNaN(Date.parse(String(entries[1]!.time)))).toBe(false);
    expect(new Set(entries.map((e) => e.req_id)).size).toBe(2);
  });

  it("an error answer's line carries its code", async () => {
    const res = await send("GET", `${C}/missing`);
    expect(res.status).toBe(404);
    expect(lines()).toEqual([
      expect.objectContaining({ status: 404, code: expect.any(String), req_id: res.id }),
    ]);
  });
});

describe("X-Request-Id", () => {
  it("is generated (a UUID) when the request has none, and differs per request", async () => {
    const a = await send("GET", "/api/v2/heartbeat");
    const b = await send("GET", "/api/v2/heartbeat");
    expect(a.id).toMatch(UUID);
    expect(b.id).toMatch(UUID);
    expect(a.id).not.toBe(b.id);
  });

  it("is on every kind of answer: unknown route (empty 404), 405, 413-style errors, /metrics", async () => {
    for (const [method, path] of [
      ["GET", "/nope"],
      ["PUT", "/api/v2/heartbeat"],
      ["GET", `${C}/missing`],
      ["GET", "/metrics"],
    ] as const)
      expect((await send(method, path)).id, `${method} ${path}`).toMatch(UUID);
  });

  it("keeps a sane incoming id and replaces anything else (property)", async () => {
    const sane = fc.stringMatching(/^[A-Za-z0-9._:-]{1,128}$/);
    const insane = fc.oneof(
      fc.string({ minLength: 129, maxLength: 200, unit: fc.constantFrom("a", "b") }),
      fc.string({ minLength: 1, maxLength: 40 }).filter((s) => !REQUEST_ID_PATTERN.test(s) && s.trim() === s),
    );
    await fc.assert(
      fc.asyncProperty(sane, async (id) => {
        expect((await send("GET", "/api/v2/heartbeat", undefined, { "x-request-id": id })).id).toBe(id);
      }),
      { numRuns: 50 },
    );
    await fc.assert(
      fc.asyncProperty(insane, async (id) => {
        let res: Awaited<ReturnType<typeof send>>;
        try {
          res = await send("GET", "/api/v2/heartbeat", undefined, { "x-request-id": id });
        } catch {
          return; // not even a valid header value: the request cannot be sent at all
        }
        expect(res.id).toMatch(UUID);
      }),
      { numRuns: 50 },
    );
  });
});

describe("what is never logged", () => {
  it("no token, header value, query string or document text, for successes and errors", async () => {
    const secrets = {
      bearer: `tok_${randomUUID()}`,
      chroma: `ck_${randomUUID()}`,
      cookie: `session_${randomUUID()}`,
      query: `q_${randomUUID()}`,
      doc: `document text ${randomUUID()}`,
      badDoc: `bad document ${randomUUID()}`,
      filter: `filter text ${randomUUID()}`,
    };
    const headers = {
      authorization: `Bearer ${secrets.bearer}`,
      "x-chroma-token": secrets.chroma,
      cookie: `sid=${secrets.cookie}`,
    };
    await send("POST", C, { name: "docs" }, headers);
    const id = (await client.getCollection({ name: "docs" })).id;
    const ONE = `${C}/${id}`;
    expect(
      (
        await send(
          "POST",
          `${ONE}/add`,
          { ids: ["a"], embeddings: [[1, 2]], documents: [secrets.doc] },
          headers,
        )
      ).status,
    ).toBe(201);
    // Errors that involve the documents: a duplicate id, a wrong dimension, a wrong type, broken JSON.
    await send(
      "POST",
      `${ONE}/add`,
      { ids: ["a"], embeddings: [[1, 2]], documents: [secrets.badDoc] },
      headers,
    );
    await send(
      "POST",
      `${ONE}/add`,
      { ids: ["b"], embeddings: [[1, 2, 3]], documents: [secrets.badDoc] },
      headers,
    );
    await send(
      "POST",
      `${ONE}/add`,
      { ids: ["c"], embeddings: [[1, 2]], documents: [[secrets.badDoc]] },
      headers,
    );
    await send("POST", `${ONE}/add`, `{"ids":["d"],"documents":["${secrets.badDoc}"`, headers);
    await send("POST", `${ONE}/get`, { where_document: { $contains: secrets.filter } }, headers);
    await send("POST", `${ONE}/get`, { where_document: { $nope: secrets.filter } }, headers);
    await send(
      "POST",
      `${ONE}/query`,
      { query_embeddings: [[1, 2]], where_document: { $contains: secrets.filter } },
      headers,
    );
    await send("GET", `${ONE}/count?token=${secrets.query}`, undefined, headers);
    expect(lines().length).toBeGreaterThanOrEqual(10);
    for (const [name, secret] of Object.entries(secrets)) expect(log.includes(secret), name).toBe(false);
    expect(log.toLowerCase()).not.toContain("bearer");
  });
});
