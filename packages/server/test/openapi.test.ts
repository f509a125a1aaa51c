/**
 * `/openapi.json` matches what the server does: every operation in the spec answers (no empty 404, no 405),
 * every route the app registered is in the spec, and request schemas resolve.
 */
import { EphemeralClient } from "@cairndb/core";
import { afterAll, describe, expect, it } from "vitest";
import { createApp } from "../src";

const client = new EphemeralClient();
const app = createApp(client);
afterAll(() => client.close());

const SAMPLE: Record<string, string> = {
  tenant: "default_tenant",
  tenant_name: "default_tenant",
  database: "default_database",
  collection_id: "00000000-0000-4000-8000-000000000000",
  crn: "default_tenant:default_database:missing",
};

const fill = (path: string) => path.replace(/\{(\w+)\}/g, (_, name: string) => SAMPLE[name] ?? "x");
const toOpenApi = (honoPath: string) => honoPath.replace(/:(\w+)/g, "{$1}");

interface Spec {
  paths: Record<string, Record<string, { requestBody?: unknown }>>;
  components: { schemas: Record<string, unknown> };
}

async function spec(): Promise<Spec> {
  const res = await app.request("/openapi.json");
  expect(res.status).toBe(200);
  return (await res.json()) as Spec;
}

describe("OpenAPI", () => {
  it("every operation in the spec answers", async () => {
    const { paths } = await spec();
    const operations = Object.entries(paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((m) => [m, path] as const),
    );
    expect(operations.length).toBeGreaterThanOrEqual(30);
    for (const [method, path] of operations) {
      const res = await app.request(fill(path), {
        method: method.toUpperCase(),
        ...(paths[path]![method]!.requestBody
          ? { body: "{}", headers: { "content-type": "application/json" } }
          : {}),
      });
      const body = await res.text();
      expect(res.status, `${method} ${path}`).not.toBe(405);
      // A 404 from an operation carries a JSON error; an unknown route's 404 is empty.
      if (res.status === 404) expect(body.length, `${method} ${path}`).toBeGreaterThan(0);
    }
  });

  it("every route of the app is in the spec", async () => {
    const { paths } = await spec();
    const registered = app.routes
      .filter((r) => r.method !== "ALL") // middleware, 405 fallbacks and the v1 catch-all
      .map((r) => `${r.method.toLowerCase()} ${toOpenApi(r.path)}`);
    expect(registered.length).toBeGreaterThanOrEqual(30);
    for (const route of new Set(registered)) {
      const [method, path] = route.split(" ") as [string, string];
      expect(paths[path]?.[method], route).toBeDefined();
    }
  });

  it("covers every endpoint the chromadb 3.5 client calls, and references resolve", async () => {
    const { paths, components } = await spec();
    for (const path of [
      "/api/v2/heartbeat",
      "/api/v2/pre-flight-checks",
      "/api/v2/tenants/{tenant}/databases/{database}/collections/by-id/{collection_id}",
      "/api/v2/tenants/{tenant}/databases/{database}/collections/{collection_id}/fork_count",
      "/api/v2/tenants/{tenant}/databases/{database}/collections/{collection_id}/indexing_status",
      "/api/v2/tenants/{tenant}/databases/{database}/collections/{collection_id}/search",
      "/api/v2/collections/{crn}",
    ]) {
      expect(paths[path], path).toBeDefined();
    }
    const refs = [...JSON.stringify(paths).matchAll(/"#\/components\/schemas\/(\w+)"/g)].map((m) => m[1]!);
    for (const name of refs) expect(components.schemas[name], name).toBeDefined();
  });
});
