/**
 * Limits in process (`app.fetch`, no socket): the concurrency limit and its bounded queue (429 `OVERLOADED`
 * with `Retry-After`), the request deadline (504 `TIMEOUT`, nothing done), healthcheck readiness and CORS.
 * Requests are held inside the engine call by a gate the test opens, so nothing depends on timing.
 */
import { type CairnClient, ConnectionError, EphemeralClient, HttpClient } from "@cairndb/core";
import { expectCode } from "@cairndb/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createApp, Readiness, toErrorResponse } from "../src";
import { createLimiter, resolveLimits } from "../src/limits";

const C = "/api/v2/tenants/default_tenant/databases/default_database/collections";

/** Holds every `getCollectionById` (the first engine call of each record route) while closed. */
class Gate {
  private open = true;
  private waiting: (() => void)[] = [];
  private arrivals: { n: number; resolve: () => void }[] = [];
  arrived = 0;
  close(): void {
    this.open = false;
  }
  release(): void {
    this.open = true;
    for (const go of this.waiting.splice(0)) go();
  }
  /** Resolves once `n` calls are held (or have passed) since the gate closed. */
  until(n: number): Promise<void> {
    if (this.arrived >= n) return Promise.resolve();
    return new Promise((resolve) => this.arrivals.push({ n, resolve }));
  }
  async pass(): Promise<void> {
    if (this.open) return;
    this.arrived++;
    for (const a of this.arrivals.filter((x) => x.n <= this.arrived)) a.resolve();
    await new Promise<void>((go) => this.waiting.push(go));
  }
}

function gated(target: CairnClient, gate: Gate): CairnClient {
  return new Proxy(target, {
    get(obj, key, receiver) {
      const value = Reflect.get(obj, key, receiver);
      if (key !== "getCollectionById" || typeof value !== "function") return value;
      return async (...args: unknown[]) => {
        await gate.pass();
        return value.apply(obj, args);
      };
    },
  });
}

let client: EphemeralClient;
let gate: Gate;
beforeEach(() => {
  client = new EphemeralClient();
  gate = new Gate();
});
afterEach(async () => {
  gate.release();
  await client.close();
});

const json = { "content-type": "application/json" };
const add = (app: ReturnType<typeof createApp>, id: string, n: number) =>
  app.request(`${C}/${id}/add`, {
    method: "POST",
    headers: json,
    body: JSON.stringify({ ids: [`r${n}`], embeddings: [[n, 1]] }),
  });

async function collection(app: ReturnType<typeof createApp>): Promise<string> {
  const r = await app.request(C, { method: "POST", headers: json, body: JSON.stringify({ name: "things" }) });
  expect(r.status).toBe(200);
  return ((await r.json()) as { id: string }).id;
}

describe("concurrency limit", () => {
  it("beyond max concurrent + max queued: 429 OVERLOADED with Retry-After; heartbeat answers; nothing acknowledged is lost", async () => {
    const app = createApp(gated(client, gate), { limits: { maxConcurrent: 2, maxQueued: 1 } });
    const id = await collection(app);
    gate.close();
    const held = [add(app, id, 0), add(app, id, 1)];
    await gate.until(2);
    const queued = add(app, id, 2);
    const extra = await Promise.all([3, 4, 5].map((n) => add(app, id, n)));
    for (const r of extra) {
      expect(r.status).toBe(429);
      expect(r.headers.get("retry-after")).toBe("1");
      const body = (await r.json()) as { error: string; code: string; message: string };
      expect(body.code).toBe("OVERLOADED");
      expect(body.error).toBe("ChromaError");
      expect(body.message).toContain("limit of 2 concurrent requests");
    }
    // Liveness and readiness bypass the limit while every slot is taken.
    expect((await app.request("/api/v2/heartbeat")).status).toBe(200);
    expect((await app.request("/api/v2/healthcheck")).status).toBe(200);
    gate.release();
    const done = await Promise.all([...held, queued]);
    expect(done.map((r) => r.status)).toEqual([201, 201, 201]);
    const count = await app.request(`${C}/${id}/count`);
    expect(await count.json()).toBe(3);
    const got = await client.getCollectionById(id).then((c) => c.get({}));
    expect(got.ids.sort()).toEqual(["r0", "r1", "r2"]);
  });

  it("a slot freed by a finished request goes to the queue first, and the limiter accounts for every slot", async () => {
    const limiter = createLimiter({ maxConcurrent: 1, maxQueued: 2 });
    const { Hono } = await import("hono");
    const app = new Hono();
    const releases: (() => void)[] = [];
    app.use("*", limiter.middleware);
    app.onError((error, c) => {
      const { status, body, headers } = toErrorResponse(error);
      for (const [name, value] of Object.entries(headers)) c.header(name, value);
      return c.json(body, status as 429);
    });
    app.get("/job/:n", async (c) => {
      await new Promise<void>((go) => releases.push(go));
      return c.text(c.req.param("n"));
    });
    const first = app.request("/job/1");
    const second = app.request("/job/2");
    const third = app.request("/job/3");
    await Promise.resolve();
    expect(limiter.stats()).toMatchObject({ active: 1, queued: 2 });
    expect((await app.request("/job/4")).status).toBe(429);
    expect(limiter.stats().rejected).toBe(1);
    for (const expected of ["1", "2", "3"]) {
      while (releases.length === 0) await new Promise((r) => setImmediate(r));
      releases.shift()!();
      const r = await [first, second, third][Number(expected) - 1]!;
      expect(await r.text()).toBe(expected);
    }
    expect(limiter.stats()).toMatchObject({ active: 0, queued: 0 });
  });

  it("HttpClient maps 429 to ConnectionError OVERLOADED with details.retryAfterMs", async () => {
    const app = createApp(gated(client, gate), { limits: { maxConcurrent: 1, maxQueued: 0 } });
    const http = new HttpClient({
      host: "cairn.test",
      port: 80,
      fetch: (input, init) => Promise.resolve(app.fetch(new Request(input, init))),
    });
    const col = await http.createCollection({ name: "remote", embeddingFunction: null });
    gate.close();
    const held = col.add({ ids: ["a"], embeddings: [[1, 2]] });
    await gate.until(1);
    const error = await expectCode(col.add({ ids: ["b"], embeddings: [[3, 4]] }), "OVERLOADED");
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as ConnectionError).details).toMatchObject({ status: 429, retryAfterMs: 1000 });
    gate.release();
    await held;
    expect(await col.count()).toBe(1);
  });

  it("rejects bad limit options naming the option", () => {
    expect(() => resolveLimits({ maxConcurrent: 0 })).toThrow(/maxConcurrent: expected an integer 1-/);
    expect(() => resolveLimits({ maxQueued: -1 })).toThrow(/maxQueued: expected an integer 0-/);
    expect(() => resolveLimits({ requestTimeoutMs: 1.5 })).toThrow(/requestTimeoutMs/);
    expect(resolveLimits()).toEqual({ maxConcurrent: 64, maxQueued: 64, requestTimeoutMs: 30_000 });
  });
});

describe("request timeout", () => {
  it("a request still queued at its deadline gets 504 TIMEOUT and is never run", async () => {
    const app = createApp(gated(client, gate), {
      limits: { maxConcurrent: 1, maxQueued: 1, requestTimeoutMs: 20 },
    });
    const id = await collection(app);
    gate.close();
    const held = add(app, id, 0);
    await gate.until(1);
    const late = await add(app, id, 1);
    expect(late.status).toBe(504);
    const body = (await late.json()) as { code: string; message: string };
    expect(body.code).toBe("TIMEOUT");
    expect(body.message).toContain("nothing was done");
    // A request already in the engine is not interrupted: it finishes and answers its real result.
    gate.release();
    expect((await held).status).toBe(201);
    expect(await (await app.request(`${C}/${id}/count`)).json()).toBe(1);
  });

  it("a body that does not arrive by the deadline gets 504 TIMEOUT with connection: close; the engine is not called", async () => {
    const app = createApp(gated(client, gate), { limits: { requestTimeoutMs: 20 } });
    const id = await collection(app);
    gate.close();
    const stalled = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('{"ids": ["x"], '));
      },
    });
    const r = await app.request(`${C}/${id}/add`, {
      method: "POST",
      headers: json,
      body: stalled,
      duplex: "half",
    } as RequestInit);
    expect(r.status).toBe(504);
    expect(r.headers.get("connection")).toBe("close");
    expect(((await r.json()) as { code: string }).code).toBe("TIMEOUT");
    expect(gate.arrived).toBe(0);
  });
});

describe("healthcheck readiness", () => {
  it("503 while opening or closing, 200 when ready (Chroma's body shape)", async () => {
    const readiness = new Readiness("opening");
    const app = createApp(client, { readiness });
    const check = async () => {
      const r = await app.request("/api/v2/healthcheck");
      return [r.status, await r.json()];
    };
    expect(await check()).toEqual([503, { is_executor_ready: false, is_log_client_ready: false }]);
    readiness.set("ready");
    expect(await check()).toEqual([200, { is_executor_ready: true, is_log_client_ready: true }]);
    readiness.set("closing");
    expect(await check()).toEqual([503, { is_executor_ready: false, is_log_client_ready: false }]);
    // Heartbeat is liveness, not readiness: it still answers.
    expect((await app.request("/api/v2/heartbeat")).status).toBe(200);
  });

  it("without a readiness object the app is always ready", async () => {
    expect((await createApp(client).request("/api/v2/healthcheck")).status).toBe(200);
  });
});

describe("CORS", () => {
  const preflight = (app: ReturnType<typeof createApp>, origin: string) =>
    app.request(C, {
      method: "OPTIONS",
      headers: {
        origin,
        "access-control-request-method": "POST",
        "access-control-request-headers": "content-type,authorization",
      },
    });

  it("off by default: no Access-Control-* header on answers or preflights", async () => {
    const app = createApp(client);
    const r = await app.request("/api/v2/heartbeat", { headers: { origin: "http://a.test" } });
    expect(r.status).toBe(200);
    expect([...r.headers.keys()].filter((k) => k.startsWith("access-control-"))).toEqual([]);
    const p = await preflight(app, "http://a.test");
    expect(p.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("configured origins only: allowed origin gets the headers (429s too), others none", async () => {
    const app = createApp(gated(client, gate), {
      corsOrigins: ["http://a.test"],
      limits: { maxConcurrent: 1, maxQueued: 0 },
    });
    const p = await preflight(app, "http://a.test");
    expect(p.status).toBe(204);
    expect(p.headers.get("access-control-allow-origin")).toBe("http://a.test");
    expect(p.headers.get("access-control-allow-methods")).toContain("POST");
    expect(p.headers.get("access-control-allow-headers")?.toLowerCase()).toContain("authorization");
    const other = await app.request("/api/v2/heartbeat", { headers: { origin: "http://b.test" } });
    expect(other.headers.get("access-control-allow-origin")).toBeNull();

    const id = await collection(app);
    gate.close();
    const held = add(app, id, 0);
    await gate.until(1);
    const busy = await app.request(`${C}/${id}/count`, { headers: { origin: "http://a.test" } });
    expect(busy.status).toBe(429);
    expect(busy.headers.get("access-control-allow-origin")).toBe("http://a.test");
    expect(busy.headers.get("access-control-expose-headers")).toContain("Retry-After");
    gate.release();
    expect((await held).status).toBe(201);
  });

  it("any origin with *; a malformed origin is INVALID_ARGUMENT naming it", async () => {
    const app = createApp(client, { corsOrigins: ["*"] });
    const r = await app.request("/api/v2/heartbeat", { headers: { origin: "http://z.test" } });
    expect(r.headers.get("access-control-allow-origin")).toBe("*");
    expect(() => createApp(client, { corsOrigins: ["http://a.test/path"] })).toThrow(/corsOrigins\[0\]/);
  });
});
