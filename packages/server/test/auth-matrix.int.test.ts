/**
 * The auth matrix: every route of ROUTES × {no token, bad token, reader, writer, tenant admin, the other
 * tenant's admin, server admin} → the expected outcome, over HTTP against one server; then the same rights
 * through Cairn's HttpClient and the official `chromadb` client (both token headers), and `list_databases`
 * filtering.
 */
import { HttpClient } from "@cairndb/core";
import {
  AdminClient,
  ChromaClient,
  ChromaForbiddenError,
  ChromaNotFoundError,
  ChromaUnauthorizedError,
} from "chromadb";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ACCESS, generateToken, hashToken, ROUTES, type RunningServer, startServer } from "../src";
import { tempDir } from "./helpers";

const WHO = ["none", "bad", "reader", "writer", "admin", "other", "root"] as const;
type Who = (typeof WHO)[number];

const tokens: Record<Exclude<Who, "none" | "bad">, string> = {
  reader: generateToken(),
  writer: generateToken(),
  admin: generateToken(),
  other: generateToken(),
  root: generateToken(),
};

const authYaml = `tokens:
  - { name: acme-reader, role: reader, tenants: [acme], databases: ["support*"], sha256: ${hashToken(tokens.reader)} }
  - { name: acme-writer, role: writer, tenants: [acme], databases: ["support*"], sha256: ${hashToken(tokens.writer)} }
  - { name: acme-admin, role: admin, tenants: [acme], databases: ["*"], sha256: ${hashToken(tokens.admin)} }
  - { name: globex-admin, role: admin, tenants: [globex], databases: ["*"], sha256: ${hashToken(tokens.other)} }
  - { name: root, role: admin, tenants: ["*"], databases: ["*"], sha256: ${hashToken(tokens.root)} }
`;

let server: RunningServer;
let data: ReturnType<typeof tempDir>;
let root: HttpClient;
let docsId = "";
let n = 0;
const uniq = (prefix: string) => `${prefix}-${++n}`;

beforeAll(async () => {
  data = tempDir("cairn-auth-matrix-");
  const authFile = join(data.dir, "auth.yaml");
  writeFileSync(authFile, authYaml);
  server = await startServer({ path: join(data.dir, "db"), port: 0, authFile, logLevel: "silent" });
  root = new HttpClient({ port: server.port, host: "127.0.0.1", token: tokens.root });
  for (const tenant of ["acme", "globex"]) {
    await root.createTenant({ name: tenant });
    await root.createDatabase({ tenant, name: "support" });
    await root.createDatabase({ tenant, name: "billing" });
    const docs = await root
      .withDatabase({ tenant, database: "support" })
      .createCollection({ name: "docs", embeddingFunction: null });
    await docs.add({ ids: ["a"], embeddings: [[1, 0, 0]], documents: [`${tenant} secret`] });
    if (tenant === "acme") docsId = docs.id;
  }
});

afterAll(async () => {
  await server?.close();
  data.remove();
});

/** Outcomes, in the order of WHO: U = 401, F = 403 FORBIDDEN, H = 404 as if missing, K = allowed. */
type Outcomes = string;
const PUBLIC = "KKKKKKK";
const READ = "UUKKKHK";
const WRITE = "UUFKKHK";
const TENANT_ADMIN = "UUFFKHK";
const SERVER_ADMIN = "UUFFFFK";

interface Case {
  outcomes: Outcomes;
  path: string;
  body?: (i: number) => unknown;
  /** Creates what the request consumes (run as root before each allowed-or-not request). */
  prepare?: (name: string) => Promise<void>;
  /** The status of an allowed request (default 200). */
  ok?: number;
}

const DB = "/api/v2/tenants/acme/databases/support";
const COL = `${DB}/collections/{docsId}`;
const BY_NAME = `${DB}/collections/docs`;
const vec = (i: number) => ({ ids: [`m-${i}`], embeddings: [[0, 1, i]] });

const CASES: Record<string, Case> = {
  heartbeat: { outcomes: PUBLIC, path: "/api/v2/heartbeat" },
  heartbeat_root: { outcomes: PUBLIC, path: "/api/v2" },
  version: { outcomes: PUBLIC, path: "/api/v2/version" },
  healthcheck: { outcomes: PUBLIC, path: "/api/v2/healthcheck" },
  pre_flight_checks: { outcomes: PUBLIC, path: "/api/v2/pre-flight-checks" },
  openapi: { outcomes: PUBLIC, path: "/openapi.json" },
  metrics: { outcomes: SERVER_ADMIN, path: "/metrics" },
  get_user_identity: { outcomes: "UUKKKKK", path: "/api/v2/auth/identity" },
  reset: { outcomes: SERVER_ADMIN, path: "/api/v2/reset", ok: 403 }, // passes auth, then RESET_DISABLED
  create_tenant: { outcomes: SERVER_ADMIN, path: "/api/v2/tenants", body: (i) => ({ name: `t-${i}` }) },
  get_tenant: { outcomes: READ, path: "/api/v2/tenants/acme" },
  update_tenant: {
    outcomes: TENANT_ADMIN,
    path: "/api/v2/tenants/acme",
    body: () => ({ resource_name: "x" }),
  },
  list_databases: { outcomes: READ, path: "/api/v2/tenants/acme/databases" },
  create_database: {
    outcomes: TENANT_ADMIN,
    path: "/api/v2/tenants/acme/databases",
    body: (i) => ({ name: `support-new-${i}` }),
  },
  get_database: { outcomes: READ, path: DB },
  delete_database: {
    outcomes: TENANT_ADMIN,
    path: "/api/v2/tenants/acme/databases/{name}",
    prepare: (name) => root.createDatabase({ tenant: "acme", name }).then(() => {}),
  },
  list_collections: { outcomes: READ, path: `${DB}/collections` },
  count_collections: { outcomes: READ, path: `${DB}/collections_count` },
  get_collection: { outcomes: READ, path: BY_NAME },
  get_collection_by_id: { outcomes: READ, path: `${DB}/collections/by-id/{docsId}` },
  get_collection_by_crn: { outcomes: READ, path: "/api/v2/collections/acme:support:docs" },
  fork_count: { outcomes: READ, path: `${COL}/fork_count` },
  create_collection: { outcomes: WRITE, path: `${DB}/collections`, body: (i) => ({ name: `c-${i}` }) },
  update_collection: { outcomes: WRITE, path: COL, body: () => ({ new_metadata: { touched: true } }) },
  delete_collection: {
    outcomes: WRITE,
    path: `${DB}/collections/{name}`,
    prepare: (name) =>
      root
        .withDatabase({ tenant: "acme", database: "support" })
        .createCollection({ name, embeddingFunction: null })
        .then(() => {}),
  },
  fork_collection: { outcomes: WRITE, path: `${COL}/fork`, body: () => ({ new_name: "forked" }), ok: 501 },
  collection_get: { outcomes: READ, path: `${COL}/get`, body: () => ({}) },
  collection_query: { outcomes: READ, path: `${COL}/query`, body: () => ({ query_embeddings: [[1, 0, 0]] }) },
  // An empty search is answered 501 by the handler: what matters here is that it got past the guard.
  collection_search: { outcomes: READ, path: `${COL}/search`, body: () => ({ searches: [{}] }), ok: 501 },
  collection_count: { outcomes: READ, path: `${COL}/count` },
  indexing_status: { outcomes: READ, path: `${COL}/indexing_status` },
  collection_add: { outcomes: WRITE, path: `${COL}/add`, body: vec },
  collection_upsert: { outcomes: WRITE, path: `${COL}/upsert`, body: vec },
  collection_update: {
    outcomes: WRITE,
    path: `${COL}/update`,
    body: () => ({ ids: ["a"], metadatas: [{ u: 1 }] }),
  },
  collection_delete: { outcomes: WRITE, path: `${COL}/delete`, body: () => ({ ids: ["nope"] }) },
};

function headersOf(who: Who, i: number): Record<string, string> {
  if (who === "none") return {};
  const token = who === "bad" ? generateToken() : tokens[who];
  // Alternate the two headers the official clients send.
  return i % 2 === 0 ? { authorization: `Bearer ${token}` } : { "x-chroma-token": token };
}

describe("auth matrix", () => {
  it("every route has an access rule and a matrix case", () => {
    for (const route of ROUTES) {
      expect(ACCESS[route.operationId], `no rule for ${route.operationId}`).toBeDefined();
      expect(CASES[route.operationId], `no matrix case for ${route.operationId}`).toBeDefined();
    }
    expect(Object.keys(ACCESS).sort()).toEqual(ROUTES.map((r) => r.operationId).sort());
  });

  for (const route of ROUTES) {
    it(`${route.operationId}: ${route.method.toUpperCase()} ${route.path}`, async () => {
      const c = CASES[route.operationId]!;
      const seen: string[] = [];
      for (const [w, who] of WHO.entries()) {
        const i = ++n;
        const name = `support-tmp-${i}`;
        await c.prepare?.(name);
        const path = c.path.replace("{name}", name).replace("{docsId}", docsId);
        const body = c.body?.(i) ?? (route.method === "post" ? {} : undefined);
        const res = await fetch(`${server.url}${path}`, {
          method: route.method.toUpperCase(),
          headers: {
            ...headersOf(who, i),
            ...(body === undefined ? {} : { "content-type": "application/json" }),
          },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
        const json = (await res.json().catch(() => ({}))) as { code?: string };
        const expected = c.outcomes[w];
        let got: string;
        if (res.status === 401 && json.code === "UNAUTHENTICATED") got = "U";
        else if (res.status === 403 && json.code === "FORBIDDEN") got = "F";
        else if (
          res.status === 404 &&
          (json.code === "TENANT_NOT_FOUND" || json.code === "DATABASE_NOT_FOUND")
        )
          got = "H";
        else if (res.status === (c.ok ?? route.ok.status)) got = "K";
        else got = `?${res.status}:${json.code}`;
        seen.push(got === expected ? got : `${who}=${got}(want ${expected})`);
      }
      expect(seen.join(" ")).toBe([...c.outcomes].join(" "));
    });
  }

  it("a hidden tenant answers exactly as a missing one", async () => {
    const hidden = await fetch(`${server.url}/api/v2/tenants/globex/databases/support/collections`, {
      headers: { authorization: `Bearer ${tokens.admin}` },
    });
    const missing = await fetch(`${server.url}/api/v2/tenants/nosuch/databases/support/collections`, {
      headers: { authorization: `Bearer ${tokens.root}` },
    });
    expect(hidden.status).toBe(404);
    expect(missing.status).toBe(404);
    type Body = { code: string; message: string };
    const h = (await hidden.json()) as Body;
    const m = (await missing.json()) as Body;
    expect(h.code).toBe(m.code);
    expect(h.message.replace("globex", "X")).toBe(m.message.replace("nosuch", "X"));
  });

  it("list_databases leaves out databases outside the token's scope", async () => {
    const reader = new HttpClient({ port: server.port, host: "127.0.0.1", token: tokens.reader });
    const names = (await reader.listDatabases({ tenant: "acme" })).map((d) => d.name);
    expect(names).toContain("support");
    expect(names).not.toContain("billing");
    expect(names.every((name) => name.startsWith("support"))).toBe(true);
  });

  it("list_databases pages through the databases the token sees, not through all of them", async () => {
    await root.createDatabase({ tenant: "acme", name: "archive" }); // sorts before "support", hidden from readers
    const reader = new HttpClient({ port: server.port, host: "127.0.0.1", token: tokens.reader });
    const all = (await reader.listDatabases({ tenant: "acme" })).map((d) => d.name);
    const paged: string[] = [];
    for (let offset = 0; offset < all.length + 1; offset++)
      paged.push(...(await reader.listDatabases({ tenant: "acme", limit: 1, offset })).map((d) => d.name));
    expect(paged).toEqual(all);
    expect(all.length).toBeGreaterThan(0);
  });

  it("identity reports the token's tenant and databases", async () => {
    const res = await fetch(`${server.url}/api/v2/auth/identity`, {
      headers: { "x-chroma-token": tokens.reader },
    });
    expect(await res.json()).toEqual({ user_id: "acme-reader", tenant: "acme", databases: ["support*"] });
  });
});

describe("through HttpClient", () => {
  const client = (token?: string) =>
    new HttpClient({
      port: server.port,
      host: "127.0.0.1",
      tenant: "acme",
      database: "support",
      ...(token && { token }),
    });

  it("maps 401 and 403 to coded ForbiddenErrors and hidden tenants to TENANT_NOT_FOUND", async () => {
    await expect(client().listCollections()).rejects.toMatchObject({
      code: "UNAUTHENTICATED",
      name: "ForbiddenError",
    });
    await expect(client(generateToken()).listCollections()).rejects.toMatchObject({
      code: "UNAUTHENTICATED",
    });
    const reader = client(tokens.reader);
    const docs = await reader.getCollection({ name: "docs", embeddingFunction: null });
    expect((await docs.get({ ids: ["a"] })).documents).toEqual(["acme secret"]);
    await expect(docs.add({ ids: ["r"], embeddings: [[1, 1, 1]] })).rejects.toMatchObject({
      code: "FORBIDDEN",
      name: "ForbiddenError",
    });
    await expect(reader.createCollection({ name: uniq("r"), embeddingFunction: null })).rejects.toMatchObject(
      {
        code: "FORBIDDEN",
      },
    );
    const writer = client(tokens.writer);
    const made = await writer.createCollection({ name: uniq("w"), embeddingFunction: null });
    await made.add({ ids: ["x"], embeddings: [[1, 2, 3]] });
    expect(await made.count()).toBe(1);
    await expect(writer.createDatabase({ name: uniq("support-db") })).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    const other = client(tokens.other);
    await expect(other.getCollection({ name: "docs", embeddingFunction: null })).rejects.toMatchObject({
      code: "TENANT_NOT_FOUND",
    });
  });

  it("rejects a token given both ways", () => {
    expect(() => new HttpClient({ token: "cairn_x", headers: { Authorization: "Bearer y" } })).toThrow(
      /either as `token` or in `headers`/,
    );
    expect(() => new HttpClient({ token: "" })).toThrow(/token: expected a non-empty string/);
  });
});

describe("through the official chromadb client", () => {
  const official = (headers: Record<string, string>) =>
    new ChromaClient({ host: "127.0.0.1", port: server.port, tenant: "acme", database: "support", headers });

  it("maps 401 to ChromaUnauthorizedError and 403 to ChromaForbiddenError", async () => {
    await expect(official({}).listCollections()).rejects.toBeInstanceOf(ChromaUnauthorizedError);
    await expect(official({ "x-chroma-token": generateToken() }).listCollections()).rejects.toBeInstanceOf(
      ChromaUnauthorizedError,
    );
    const reader = official({ Authorization: `Bearer ${tokens.reader}` });
    const docs = await reader.getCollection({ name: "docs", embeddingFunction: undefined });
    expect((await docs.get({ ids: ["a"] })).documents).toEqual(["acme secret"]);
    await expect(docs.add({ ids: ["r"], embeddings: [[1, 1, 1]] })).rejects.toBeInstanceOf(
      ChromaForbiddenError,
    );
    const writer = official({ "x-chroma-token": tokens.writer });
    const wdocs = await writer.getCollection({ name: "docs", embeddingFunction: undefined });
    await wdocs.upsert({ ids: ["chroma-w"], embeddings: [[0, 0, 1]] });
    const other = official({ Authorization: `Bearer ${tokens.other}` });
    await expect(other.getCollection({ name: "docs" })).rejects.toBeInstanceOf(ChromaNotFoundError);
  });

  it("picks its tenant and database from /auth/identity", async () => {
    const single = new ChromaClient({
      host: "127.0.0.1",
      port: server.port,
      headers: { "x-chroma-token": tokens.root },
    });
    expect(await single.getUserIdentity()).toEqual({
      user_id: "root",
      tenant: "default_tenant",
      databases: ["*"],
    });
    const admin = new AdminClient({
      host: "127.0.0.1",
      port: server.port,
      ssl: false,
      headers: { "x-chroma-token": tokens.other },
    });
    await expect(admin.createTenant({ name: uniq("nope") })).rejects.toBeInstanceOf(ChromaForbiddenError);
  });
});
