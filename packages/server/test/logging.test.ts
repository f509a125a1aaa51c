/**
 * Server logs through a captured logger: one line per request; an expected error answer (4xx, 501
 * unsupported, 503 busy) adds its code and message on that line at info / warn, without a stack; only a server
 * fault (500) is logged as an error with its stack.
 */
import { type CairnClient, EphemeralClient, type Logger, StorageError } from "@cairndb/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createApp } from "../src";

const C = "/api/v2/tenants/default_tenant/databases/default_database/collections";
type Entry = { level: keyof Logger; message: string };
let entries: Entry[];
let client: CairnClient;

const capture: Logger = {
  debug: (message) => entries.push({ level: "debug", message }),
  info: (message) => entries.push({ level: "info", message }),
  warn: (message) => entries.push({ level: "warn", message }),
  error: (message) => entries.push({ level: "error", message }),
};

/** The client with one method replaced by a failing one. */
function failing(method: keyof CairnClient, error: unknown): CairnClient {
  return new Proxy(client, {
    get(obj, key, receiver) {
      if (key === method) return async () => Promise.reject(error);
      const value = Reflect.get(obj, key, receiver);
      return typeof value === "function" ? value.bind(obj) : value;
    },
  });
}

async function send(target: CairnClient, method: string, path: string, body?: unknown) {
  entries = [];
  const app = createApp(target, { logger: capture, logLevel: "debug" });
  const res = await app.request(path, {
    method,
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  await res.text();
  return res.status;
}

const STACK = /\n\s+at /;

beforeEach(() => {
  client = new EphemeralClient();
  entries = [];
});
afterEach(() => client.close());

describe("request logging", () => {
  it("a success is one info line", async () => {
    expect(await send(client, "GET", "/api/v2/heartbeat")).toBe(200);
    expect(entries).toEqual([
      { level: "info", message: expect.stringMatching(/^GET \/api\/v2\/heartbeat 200 /) },
    ]);
  });

  it("an unsupported Chroma route (501) is one warn line with its code, no stack", async () => {
    await send(client, "POST", C, { name: "docs" });
    const id = (await client.getCollection({ name: "docs" })).id;
    expect(await send(client, "POST", `${C}/${id}/fork`, { new_name: "copy" })).toBe(501);
    expect(entries).toHaveLength(1);
    expect(entries[0]!.level).toBe("warn");
    expect(entries[0]!.message).toMatch(
      /^POST \S+\/fork 501 \S+ms UNSUPPORTED: Collection forking is unsupported/,
    );
    expect(entries[0]!.message).not.toMatch(STACK);
  });

  it("a 503 (busy) is a warn line, a 4xx Cairn error an info line, neither with a stack", async () => {
    const busy = failing("heartbeat", new StorageError("STORAGE_BUSY", "the database is locked"));
    expect(await send(busy, "GET", "/api/v2/heartbeat")).toBe(503);
    expect(entries).toEqual([{ level: "warn", message: expect.stringContaining("503") }]);
    expect(entries[0]!.message).toContain("STORAGE_BUSY: the database is locked");
    expect(await send(client, "GET", `${C}/nope`)).toBe(404);
    expect(entries).toHaveLength(1);
    expect(entries[0]!.level).toBe("info");
    expect(entries[0]!.message).toMatch(/404 \S+ms COLLECTION_NOT_FOUND: /);
    expect(entries[0]!.message).not.toMatch(STACK);
    expect(await send(client, "POST", C, { name: 42 })).toBe(422);
    expect(entries.map((e) => e.level)).toEqual(["info"]);
  });

  it("an unexpected error (500) is one error line with the stack", async () => {
    const broken = failing("heartbeat", new TypeError("cannot read properties of undefined"));
    expect(await send(broken, "GET", "/api/v2/heartbeat")).toBe(500);
    expect(entries).toHaveLength(1);
    expect(entries[0]!.level).toBe("error");
    expect(entries[0]!.message).toMatch(
      /^GET \/api\/v2\/heartbeat 500 \S+ms INTERNAL: TypeError: cannot read properties/,
    );
    expect(entries[0]!.message).toMatch(STACK);
  });

  it("logLevel warn keeps the expected 5xx and drops 4xx and successes", async () => {
    const busy = failing("heartbeat", new StorageError("STORAGE_BUSY", "locked"));
    const app = createApp(busy, { logger: capture, logLevel: "warn" });
    entries = [];
    await (await app.request("/api/v2/version")).text();
    await (await app.request(`${C}/nope`)).text();
    await (await app.request("/api/v2/heartbeat")).text();
    expect(entries.map((e) => e.level)).toEqual(["warn"]);
  });
});
