/**
 * Overload of a real `cairn run` process: uploads held half-sent occupy every slot, so what happens to the
 * requests after them does not depend on timing — the queue fills, the rest get 429 `OVERLOADED` with
 * `Retry-After`, heartbeat and healthcheck still answer, and every acknowledged add is there afterwards (also
 * across a SIGTERM that arrives while slots and queue are full).
 */
import { type ClientRequest, request } from "node:http";
import { HttpClient } from "@cairndb/core";
import { afterAll, describe, expect, it } from "vitest";
import { cairnProcesses } from "./helpers";

const C = "/api/v2/tenants/default_tenant/databases/default_database/collections";
const { start, folder, stopAll } = cairnProcesses("cairn-overload-");

afterAll(stopAll);

interface Answer {
  status: number;
  text: string;
  retryAfter: string | undefined;
}

/**
 * A POST whose body is sent in two halves, each on its own connection: `sent` resolves once the headers and
 * the first half are written to the socket, `finish()` sends the rest.
 */
function heldPost(
  base: string,
  path: string,
  body: string,
): { sent: Promise<void>; finish: () => void; answer: Promise<Answer> } {
  let req!: ClientRequest;
  const answer = new Promise<Answer>((resolve, reject) => {
    const target = new URL(path, base);
    req = request(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname,
        method: "POST",
        agent: false,
        headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) },
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8").on("data", (c: string) => {
          text += c;
        });
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, text, retryAfter: res.headers["retry-after"] as string }),
        );
      },
    );
    req.on("error", reject);
  });
  const half = Math.floor(body.length / 2);
  const sent = new Promise<void>((resolve) => req.write(body.slice(0, half), () => resolve()));
  return { sent, finish: () => req.end(body.slice(half)), answer };
}

const addBody = (prefix: string, n: number) => {
  const ids = Array.from({ length: n }, (_, i) => `${prefix}-${i}`);
  return JSON.stringify({ ids, embeddings: ids.map((_, i) => [i, 1]) });
};

async function post(base: string, path: string, body: string): Promise<Answer> {
  const res = await fetch(`${base}${path}`, {
    method: "POST",
    body,
    headers: { "content-type": "application/json" },
  });
  return {
    status: res.status,
    text: await res.text(),
    retryAfter: res.headers.get("retry-after") ?? undefined,
  };
}

/** The limiter's numbers as `/metrics` reports them (it bypasses the limit, so it answers while saturated). */
async function limiterState(base: string): Promise<{ active: number; queued: number }> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, "m").exec(text)?.[1]);
  return { active: value("cairn_http_requests_active"), queued: value("cairn_http_requests_queued") };
}

/**
 * Waits until the server itself reports the held requests in their slots and queue places: a round trip on
 * another connection proves nothing (it may be answered before the held connections are even accepted).
 */
async function settle(
  base: string,
  held: { sent: Promise<void> }[],
  expected: { active: number; queued: number },
): Promise<void> {
  await Promise.all(held.map((h) => h.sent));
  const bound = performance.now() + 30_000;
  let state = await limiterState(base);
  while (state.active !== expected.active || state.queued !== expected.queued) {
    if (performance.now() > bound)
      throw new Error(`the limiter reports ${JSON.stringify(state)}, expected ${JSON.stringify(expected)}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
    state = await limiterState(base);
  }
}

describe("overload", () => {
  it("more concurrent requests than the limit: queue, then 429 with Retry-After; health answers; nothing acknowledged is lost", async () => {
    const server = await start(["--max-concurrent", "2", "--max-queued", "2"]);
    const http = new HttpClient({ path: server.url });
    const col = await http.createCollection({ name: "load", embeddingFunction: null });
    const path = `${C}/${col.id}/add`;

    const held = [
      heldPost(server.url, path, addBody("held0", 50)),
      heldPost(server.url, path, addBody("held1", 50)),
    ];
    await settle(server.url, held, { active: 2, queued: 0 });
    const queued = [
      heldPost(server.url, path, addBody("queued0", 10)),
      heldPost(server.url, path, addBody("queued1", 10)),
    ];
    await settle(server.url, queued, { active: 2, queued: 2 });
    const refused = await Promise.all(
      Array.from({ length: 6 }, (_, i) => post(server.url, path, addBody(`over${i}`, 5))),
    );
    for (const r of refused) {
      expect(r.status).toBe(429);
      expect(r.retryAfter).toBe("1");
      expect(JSON.parse(r.text)).toMatchObject({ error: "ChromaError", code: "OVERLOADED" });
    }
    expect(await limiterState(server.url)).toEqual({ active: 2, queued: 2 }); // the 429s took no place
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(/^cairn_http_requests_rejected_total 6$/m);
    // Still responsive while saturated.
    expect((await fetch(`${server.url}/api/v2/heartbeat`)).status).toBe(200);
    expect((await fetch(`${server.url}/api/v2/healthcheck`)).status).toBe(200);

    for (const h of [...held, ...queued]) h.finish();
    const answers = await Promise.all([...held, ...queued].map((h) => h.answer));
    expect(answers.map((a) => a.status)).toEqual([201, 201, 201, 201]);
    expect(await col.count()).toBe(50 + 50 + 10 + 10);
    const refusedIds = Array.from({ length: 6 }, (_, i) => `over${i}-0`);
    expect((await col.get({ ids: refusedIds })).ids).toEqual([]); // a 429 wrote nothing
    expect(await server.stop()).toBe(0);
  });

  it("SIGTERM with every slot and queue place taken drains them all; the acknowledged writes survive a restart", async () => {
    const dir = folder("cairn-overload-term-");
    // No request deadline and a long grace period: on a loaded machine neither may cut the held uploads short.
    const first = await start(
      [
        "--max-concurrent",
        "2",
        "--max-queued",
        "2",
        "--shutdown-grace-ms",
        "120000",
        "--request-timeout-ms",
        "0",
      ],
      dir,
    );
    const col = await new HttpClient({ path: first.url }).createCollection({
      name: "drain",
      embeddingFunction: null,
    });
    const path = `${C}/${col.id}/add`;
    const held = [heldPost(first.url, path, addBody("a", 100)), heldPost(first.url, path, addBody("b", 100))];
    await settle(first.url, held, { active: 2, queued: 0 });
    const queued = [heldPost(first.url, path, addBody("c", 20)), heldPost(first.url, path, addBody("d", 20))];
    await settle(first.url, queued, { active: 2, queued: 2 });
    let exited = false;
    first.proc.once("exit", () => {
      exited = true;
    });
    first.proc.kill("SIGTERM");
    // Wait until it stops accepting (the signal is handled asynchronously).
    while (
      await fetch(`${first.url}/api/v2/heartbeat`).then(
        () => true,
        () => false,
      )
    );
    expect(exited).toBe(false); // still draining
    for (const h of [...held, ...queued]) h.finish();
    const answers = await Promise.all([...held, ...queued].map((h) => h.answer));
    expect(answers.map((a) => a.status)).toEqual([201, 201, 201, 201]);
    expect(await first.exited).toBe(0);

    const second = await start([], dir);
    const again = await new HttpClient({ path: second.url }).getCollection({ name: "drain" });
    expect(await again.count()).toBe(240);
    expect(await second.stop()).toBe(0);
  });
});
