/**
 * `cairn run` as a process: a chosen free port, concurrent clients, graceful SIGTERM with a request in flight
 * (it completes; the data is there after a restart), and malformed requests over a real socket.
 */
import { request } from "node:http";
import { HttpClient } from "@cairndb/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cairnProcesses, type CairnProcess, freePort } from "./helpers";

const C = "/api/v2/tenants/default_tenant/databases/default_database/collections";
const { start, folder, stopAll } = cairnProcesses("cairn-proc-");

afterAll(stopAll);

async function raw(url: string, method: string, path: string, body?: string) {
  const res = await fetch(`${url}${path}`, { method, body, headers: { "content-type": "application/json" } });
  const text = await res.text();
  return { status: res.status, text, json: text ? JSON.parse(text) : undefined };
}

describe("cairn run process", () => {
  let server: CairnProcess;
  beforeAll(async () => {
    server = await start(["--max-body-mb", "1"]);
  });

  it("listens on the port it was given", async () => {
    const port = await freePort();
    const fixed = await start(["--port", String(port)]);
    expect(fixed.port).toBe(port);
    expect((await raw(fixed.url, "GET", "/api/v2/heartbeat")).status).toBe(200);
    expect(await fixed.stop("SIGINT")).toBe(0);
  });

  it("serves concurrent clients (8 clients × 20 writes and queries)", async () => {
    const setup = new HttpClient({ path: server.url });
    const col = await setup.createCollection({ name: "concurrent", embeddingFunction: null });
    await Promise.all(
      Array.from({ length: 8 }, async (_, c) => {
        const client = new HttpClient({ path: server.url });
        const mine = await client.getCollection({ name: "concurrent" });
        for (let i = 0; i < 20; i++) {
          await mine.add({ ids: [`c${c}-${i}`], embeddings: [[c, i, 1]], metadatas: [{ client: c }] });
          const hits = await mine.query({ queryEmbeddings: [[c, i, 1]], nResults: 1, where: { client: c } });
          expect(hits.ids[0]).toEqual([`c${c}-${i}`]);
        }
        await client.close();
      }),
    );
    expect(await col.count()).toBe(160);
    await setup.close();
  });

  it("bad JSON → 400, wrong shape → 422, huge body → 413, unknown route → 404 empty, wrong method → 405", async () => {
    const id = (await raw(server.url, "POST", C, JSON.stringify({ name: "shapes" }))).json.id;
    const bad = await raw(server.url, "POST", `${C}/${id}/add`, '{"ids": [');
    expect(bad.status).toBe(400);
    expect(bad.json).toMatchObject({ error: "InvalidArgumentError", code: "INVALID_ARGUMENT" });
    expect(bad.json.message.length).toBeGreaterThan(10);
    const shape = await raw(
      server.url,
      "POST",
      `${C}/${id}/add`,
      JSON.stringify({ ids: [1], embeddings: [[1]] }),
    );
    expect(shape.status).toBe(422);
    expect(shape.json.message).toContain("ids[0]");
    const huge = await raw(
      server.url,
      "POST",
      `${C}/${id}/add`,
      JSON.stringify({ ids: ["a"], embeddings: [new Array(300_000).fill(0.123456)] }),
    );
    expect(huge.status).toBe(413);
    expect(huge.json.code).toBe("PAYLOAD_TOO_LARGE");
    expect(huge.json.message).toContain("--max-body-mb");
    const missing = await raw(server.url, "GET", "/api/v3/whatever");
    expect([missing.status, missing.text]).toEqual([404, ""]);
    expect((await raw(server.url, "PUT", "/api/v2/heartbeat")).status).toBe(405);
    // The server still works afterwards.
    expect((await raw(server.url, "GET", `${C}/${id}/count`)).json).toBe(0);
  });
});

/** Sends a request whose body arrives in two parts; `between` runs after the first part is on the wire. */
function slowPost(
  url: string,
  path: string,
  body: string,
  between: () => Promise<void>,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const target = new URL(path, url);
    const req = request(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname,
        method: "POST",
        headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) },
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8").on("data", (c: string) => {
          text += c;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on("error", reject);
    const half = Math.floor(body.length / 2);
    req.write(body.slice(0, half));
    between().then(() => req.end(body.slice(half)), reject);
  });
}

describe("graceful shutdown", () => {
  it("SIGTERM lets an in-flight request finish, refuses new connections, and the data survives a restart", async () => {
    const dir = folder("cairn-sigterm-");
    const first = await start([], dir);
    const client = new HttpClient({ path: first.url });
    const col = await client.createCollection({ name: "durable", embeddingFunction: null });
    await col.add({ ids: ["before"], embeddings: [[1, 0]] });
    const ids = Array.from({ length: 200 }, (_, i) => `inflight-${i}`);
    const body = JSON.stringify({ ids, embeddings: ids.map((_, i) => [i, 1]) });
    let exitedEarly = false;
    first.proc.once("exit", () => {
      exitedEarly = true;
    });
    const result = await slowPost(first.url, `${C}/${col.id}/add`, body, async () => {
      await new Promise((r) => setTimeout(r, 150));
      first.proc.kill("SIGTERM");
      await new Promise((r) => setTimeout(r, 300));
      expect(exitedEarly).toBe(false); // still waiting for our request
      await expect(fetch(`${first.url}/api/v2/heartbeat`)).rejects.toThrow(); // no longer accepting
    });
    expect(result.status).toBe(201);
    expect(await first.exited).toBe(0); // no second signal: it may still be closing the database

    expect(first.stderr()).toContain("Stopped.");

    const second = await start([], dir);
    const again = await new HttpClient({ path: second.url }).getCollection({ name: "durable" });
    expect(await again.count()).toBe(201);
    expect((await again.query({ queryEmbeddings: [[199, 1]], nResults: 1 })).ids).toEqual([["inflight-199"]]);
    expect(await second.stop()).toBe(0);
  });
});
