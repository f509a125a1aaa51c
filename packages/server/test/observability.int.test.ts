/**
 * `cairn run` as a process with stderr not a terminal: every stderr line is JSON (request lines, banner and
 * shutdown messages), request lines carry the id sent back in `X-Request-Id`, no token or document text is
 * logged, and `/metrics` of the running server parses and counts the requests.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CairnProcess, spawnCairn, tempDir } from "./helpers";
import { parsePrometheusText, sampleValue } from "./prometheus-text";

const C = "/api/v2/tenants/default_tenant/databases/default_database/collections";
let server: CairnProcess;
let dir: { dir: string; remove: () => void };

beforeAll(async () => {
  dir = tempDir("cairn-observability-");
  server = await spawnCairn(dir.dir);
}, 60_000);
afterAll(async () => {
  await server?.stop();
  dir?.remove();
});

describe("cairn run logs and metrics", () => {
  it("JSON lines with request ids and no secrets; /metrics counts the requests", async () => {
    const token = `tok_${randomUUID()}`;
    const doc = `private text ${randomUUID()}`;
    const headers = {
      "content-type": "application/json",
      authorization: `Bearer ${token}`,
      "x-chroma-token": token,
    };
    const created = await fetch(`${server.url}${C}`, {
      method: "POST",
      headers: { ...headers, "x-request-id": "trace-1" },
      body: JSON.stringify({ name: "docs" }),
    });
    expect(created.headers.get("x-request-id")).toBe("trace-1");
    const { id } = (await created.json()) as { id: string };
    const added = await fetch(`${server.url}${C}/${id}/add`, {
      method: "POST",
      headers,
      body: JSON.stringify({ ids: ["a"], embeddings: [[1, 2, 3]], documents: [doc] }),
    });
    expect(added.status).toBe(201);
    const metrics = parsePrometheusText(await (await fetch(`${server.url}/metrics`)).text());
    const route = "/api/v2/tenants/{tenant}/databases/{database}/collections/{collection_id}/add";
    expect(sampleValue(metrics, "cairn_http_requests_total", { method: "POST", route, status: "201" })).toBe(
      1,
    );
    expect(sampleValue(metrics, "cairn_collection_records", { collection: "docs" })).toBe(1);
    expect(sampleValue(metrics, "cairn_collection_vector_bytes", { collection: "docs" })).toBe(12);
    expect(await server.stop("SIGTERM")).toBe(0);

    const entries = server
      .stderr()
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(entries[0]!.msg).toMatch(/listening on http:/);
    expect(entries.at(-1)!.msg).toBe("Stopped.");
    const requests = entries.filter((e) => typeof e.req_id === "string");
    expect(requests.map((e) => e.route)).toEqual([
      C.replace("default_tenant", "{tenant}").replace("default_database", "{database}"),
      route,
      "/metrics",
    ]);
    expect(requests[0]!.req_id).toBe("trace-1");
    expect(requests[1]!.req_id).toBe(added.headers.get("x-request-id"));
    expect(server.stderr()).not.toContain(token);
    expect(server.stderr()).not.toContain(doc);
  });
});
