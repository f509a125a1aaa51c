/**
 * `GET /metrics`: a strict Prometheus text parser accepts it; request counters and latency histogram counts move
 * with requests, labelled by route template (not raw path); per-collection gauges follow the data, or are
 * unlabelled totals with `metricsCollectionLabels: false`; `metrics: false` removes the endpoint; two apps in one
 * process have separate registries; `startServer` exports the WAL size.
 */
import { type CairnClient, EphemeralClient } from "@cairndb/core";
import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createApp, startServer } from "../src";
import { createRouteMatcher } from "../src/route-match";
import { ROUTES } from "../src/routes";
import { tempDir } from "./helpers";
import { parsePrometheusText, sampleValue } from "./prometheus-text";

const DB = "/api/v2/tenants/default_tenant/databases/default_database";
const C = `${DB}/collections`;
const REQUESTS = "cairn_http_requests_total";
const LATENCY_COUNT = "cairn_http_request_duration_seconds_count";

let client: CairnClient;
beforeEach(() => {
  client = new EphemeralClient();
});
afterEach(() => client.close());

async function call(app: ReturnType<typeof createApp>, method: string, path: string, body?: unknown) {
  const res = await app.request(path, {
    method,
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, text: await res.text(), headers: res.headers };
}

async function scrape(app: ReturnType<typeof createApp>) {
  const res = await app.request("/metrics");
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
  return parsePrometheusText(await res.text());
}

describe("the Prometheus text parser used here", () => {
  it("rejects what Prometheus rejects", () => {
    expect(() => parsePrometheusText("x 1\n")).toThrow(/no TYPE/);
    expect(() => parsePrometheusText('# TYPE x gauge\nx{a="1} 1\n')).toThrow(/unterminated/);
    expect(() => parsePrometheusText("# TYPE x gauge\nx one\n")).toThrow(/bad value/);
    expect(() => parsePrometheusText("# TYPE x gauge\nx 1\nx 2\n")).toThrow(/duplicate/);
    expect(() =>
      parsePrometheusText(
        '# TYPE h histogram\nh_bucket{le="1"} 2\nh_bucket{le="+Inf"} 1\nh_count 1\nh_sum 0\n',
      ),
    ).toThrow(/cumulative/);
    const ok = parsePrometheusText('# HELP x A "gauge".\n# TYPE x gauge\nx{a="q\\"\\n\\\\"} 1.5e3\n');
    expect(sampleValue(ok, "x", { a: 'q"\n\\' })).toBe(1500);
  });
});

describe("GET /metrics", () => {
  it("parses strictly and has the documented families", async () => {
    const families = await scrape(createApp(client));
    for (const [name, type] of [
      [REQUESTS, "counter"],
      ["cairn_http_request_duration_seconds", "histogram"],
      ["cairn_http_requests_in_flight", "gauge"],
      ["cairn_http_requests_active", "gauge"],
      ["cairn_http_requests_queued", "gauge"],
      ["cairn_http_requests_rejected_total", "counter"],
      ["cairn_http_requests_timed_out_total", "counter"],
      ["cairn_collection_records", "gauge"],
      ["cairn_collection_vector_bytes", "gauge"],
      ["cairn_collections", "gauge"],
      ["process_cpu_seconds_total", "counter"],
      ["nodejs_heap_size_used_bytes", "gauge"],
    ] as const)
      expect(families.get(name)?.type, name).toBe(type);
    // The scrape bypasses the limiter: no slot taken, nothing queued or refused yet.
    for (const name of [
      "cairn_http_requests_active",
      "cairn_http_requests_queued",
      "cairn_http_requests_rejected_total",
      "cairn_http_requests_timed_out_total",
    ])
      expect(sampleValue(families, name), name).toBe(0);
    // No database folder given to createApp: no WAL gauge.
    expect(families.has("cairn_wal_bytes")).toBe(false);
  });

  it("counts requests by route template and status, and the histogram count moves with them", async () => {
    const app = createApp(client);
    await call(app, "POST", C, { name: "docs" });
    const id = (await client.getCollection({ name: "docs" })).id;
    const route = "/api/v2/tenants/{tenant}/databases/{database}/collections/{collection_id}/count";
    const labels = { method: "GET", route, status: "200" };
    const before = await scrape(app);
    expect(sampleValue(before, REQUESTS, labels)).toBeUndefined();
    for (let i = 0; i < 3; i++) expect((await call(app, "GET", `${C}/${id}/count`)).status).toBe(200);
    expect((await call(app, "GET", `${C}/${"0".repeat(8)}-0000-4000-8000-000000000000/count`)).status).toBe(
      404,
    );
    const after = await scrape(app);
    expect(sampleValue(after, REQUESTS, labels)).toBe(3);
    expect(sampleValue(after, LATENCY_COUNT, labels)).toBe(3);
    expect(sampleValue(after, REQUESTS, { ...labels, status: "404" })).toBe(1);
    // Raw paths never become labels.
    const routes = after.get(REQUESTS)!.samples.map((s) => s.labels.route);
    expect(routes.some((r) => r?.includes(id))).toBe(false);
    expect(sampleValue(after, REQUESTS, { route: "/metrics", status: "200" })).toBe(1);
    expect(sampleValue(after, "cairn_http_requests_in_flight")).toBe(1); // the scrape itself
  });

  it("labels every unknown path as one 'unmatched' route", async () => {
    const app = createApp(client);
    await call(app, "GET", "/nope/1");
    await call(app, "GET", "/nope/2");
    expect(sampleValue(await scrape(app), REQUESTS, { route: "unmatched", status: "404" })).toBe(2);
  });

  it("reports records and vector bytes per collection, across tenants the server has answered for", async () => {
    const app = createApp(client);
    await call(app, "POST", C, { name: "docs" });
    const id = (await client.getCollection({ name: "docs" })).id;
    await call(app, "POST", `${C}/${id}/add`, {
      ids: ["a", "b", "c"],
      embeddings: [
        [1, 0],
        [0, 1],
        [1, 1],
      ],
    });
    await call(app, "POST", "/api/v2/tenants", { name: "acme" });
    await call(app, "POST", "/api/v2/tenants/acme/databases", { name: "support" });
    await call(app, "POST", "/api/v2/tenants/acme/databases/support/collections", { name: "tickets" });
    const families = await scrape(app);
    const docs = { tenant: "default_tenant", database: "default_database", collection: "docs" };
    expect(sampleValue(families, "cairn_collection_records", docs)).toBe(3);
    expect(sampleValue(families, "cairn_collection_vector_bytes", docs)).toBe(3 * 2 * 4);
    const tickets = { tenant: "acme", database: "support", collection: "tickets" };
    expect(sampleValue(families, "cairn_collection_records", tickets)).toBe(0);
    expect(sampleValue(families, "cairn_collections")).toBe(2);
  });

  it("metricsCollectionLabels: false exports unlabelled totals", async () => {
    const app = createApp(client, { metricsCollectionLabels: false });
    for (const name of ["one", "two"]) {
      await call(app, "POST", C, { name });
      const id = (await client.getCollection({ name })).id;
      await call(app, "POST", `${C}/${id}/add`, { ids: ["a", "b"], embeddings: [[1], [2]] });
    }
    const samples = (await scrape(app)).get("cairn_collection_records")!.samples;
    expect(samples).toEqual([{ name: "cairn_collection_records", labels: {}, value: 4 }]);
  });

  it("metrics: false removes the endpoint", async () => {
    const app = createApp(client, { metrics: false });
    expect((await call(app, "GET", "/metrics")).status).toBe(404);
  });

  it("two apps in one process keep separate counts", async () => {
    const a = createApp(client);
    const b = createApp(client);
    await call(a, "GET", "/api/v2/heartbeat");
    await call(a, "GET", "/api/v2/heartbeat");
    const labels = { route: "/api/v2/heartbeat", status: "200" };
    expect(sampleValue(await scrape(a), REQUESTS, labels)).toBe(2);
    expect(sampleValue(await scrape(b), REQUESTS, labels)).toBeUndefined();
  });

  it("startServer exports the WAL size of the database folder", async () => {
    const { dir, remove } = tempDir("cairn-metrics-");
    const server = await startServer({ path: dir, port: 0 });
    try {
      await fetch(`${server.url}${C}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ name: "docs" }),
      });
      const families = parsePrometheusText(await (await fetch(`${server.url}/metrics`)).text());
      expect(families.get("cairn_wal_bytes")?.type).toBe("gauge");
      expect(sampleValue(families, "cairn_wal_bytes")).toBeGreaterThan(0);
    } finally {
      await server.close();
      remove();
    }
  });
});

describe("route templates", () => {
  it("every concrete path of a template maps back to that template (property)", () => {
    const matcher = createRouteMatcher(ROUTES.map((r) => r.path));
    const segment = fc.stringMatching(/^[A-Za-z0-9_-]{1,20}$/).filter((s) => s !== "by-id");
    fc.assert(
      fc.property(
        fc.constantFrom(...ROUTES.map((r) => r.path)),
        fc.array(segment, { minLength: 4 }),
        (t, vals) => {
          let i = 0;
          const path = t.replace(/\{\w+\}/g, () => vals[i++ % vals.length]!);
          // A value equal to a literal sibling (e.g. "count") can select the more literal template: allowed.
          const found = matcher.match(path).route;
          expect(found === t || found.split("/").length === t.split("/").length).toBe(true);
          if (found === t) {
            const names = [...t.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
            expect(Object.keys(matcher.match(path).params)).toEqual(names);
          }
        },
      ),
    );
  });

  it("prefers a literal segment over a parameter", () => {
    const matcher = createRouteMatcher(ROUTES.map((r) => r.path));
    expect(matcher.match(`${C}/by-id/abc`).route).toBe(
      "/api/v2/tenants/{tenant}/databases/{database}/collections/by-id/{collection_id}",
    );
    expect(matcher.match(`${C}/abc`).params).toEqual({
      tenant: "default_tenant",
      database: "default_database",
      collection_id: "abc",
    });
  });
});
