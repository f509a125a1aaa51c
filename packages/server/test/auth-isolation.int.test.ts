/**
 * Tenant isolation, as a property: random operations by the admins of two tenants (same database and
 * collection names, same ids) never see each other's data, and every attempt to reach the other tenant answers
 * exactly what a missing tenant answers.
 */
import { type CairnClient, HttpClient } from "@cairndb/core";
import fc from "fast-check";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { generateToken, hashToken, type RunningServer, startServer } from "../src";
import { tempDir } from "./helpers";

const TENANTS = ["acme", "globex"] as const;
type Tenant = (typeof TENANTS)[number];
const DATABASES = ["support", "sales"];
const COLLECTIONS = ["docs", "faq"];

const tokens = { acme: generateToken(), globex: generateToken(), root: generateToken() };
let server: RunningServer;
let data: ReturnType<typeof tempDir>;
const clients = {} as Record<Tenant, CairnClient>;

beforeAll(async () => {
  data = tempDir("cairn-auth-isolation-");
  const file = join(data.dir, "auth.yaml");
  writeFileSync(
    file,
    `tokens:
  - { name: acme, role: admin, tenants: [acme], databases: ["*"], sha256: ${hashToken(tokens.acme)} }
  - { name: globex, role: admin, tenants: [globex], databases: ["*"], sha256: ${hashToken(tokens.globex)} }
  - { name: root, role: admin, tenants: ["*"], databases: ["*"], sha256: ${hashToken(tokens.root)} }
`,
  );
  server = await startServer({ path: join(data.dir, "db"), port: 0, authFile: file, logLevel: "silent" });
  const root = new HttpClient({ host: "127.0.0.1", port: server.port, token: tokens.root });
  for (const tenant of TENANTS) {
    await root.createTenant({ name: tenant });
    for (const name of DATABASES) await root.createDatabase({ tenant, name });
  }
  for (const tenant of TENANTS)
    clients[tenant] = new HttpClient({ host: "127.0.0.1", port: server.port, token: tokens[tenant] });
});

afterAll(async () => {
  await server?.close();
  data.remove();
});

type Op =
  | { kind: "write"; who: Tenant; db: string; col: string; id: string }
  | { kind: "delete"; who: Tenant; db: string; col: string; id: string }
  | { kind: "read"; who: Tenant; db: string; col: string }
  | { kind: "probe"; who: Tenant; db: string; col: string; how: "get" | "list" | "create" | "records" };

const arbOp: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    kind: fc.constantFrom("write" as const, "delete" as const),
    who: fc.constantFrom(...TENANTS),
    db: fc.constantFrom(...DATABASES),
    col: fc.constantFrom(...COLLECTIONS),
    id: fc.constantFrom("a", "b", "c"),
  }),
  fc.record({
    kind: fc.constant("read" as const),
    who: fc.constantFrom(...TENANTS),
    db: fc.constantFrom(...DATABASES),
    col: fc.constantFrom(...COLLECTIONS),
  }),
  fc.record({
    kind: fc.constant("probe" as const),
    who: fc.constantFrom(...TENANTS),
    db: fc.constantFrom(...DATABASES),
    col: fc.constantFrom(...COLLECTIONS),
    how: fc.constantFrom("get" as const, "list" as const, "create" as const, "records" as const),
  }),
);

const other = (t: Tenant): Tenant => (t === "acme" ? "globex" : "acme");
const errorOf = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: { code?: string; message?: string }) => ({ code: e.code, message: e.message }),
  );

it("two tenants' tokens never see each other's data", async () => {
  let run = 0;
  let writes = 0;
  await fc.assert(
    fc.asyncProperty(fc.array(arbOp, { minLength: 1, maxLength: 12 }), async (ops) => {
      // A fresh collection-name prefix per run keeps runs independent on one server.
      const prefix = `r${++run}-`;
      const model = new Map<string, Map<string, string>>();
      const key = (t: Tenant, db: string, col: string) => `${t}/${db}/${prefix}${col}`;
      const created = new Set<string>();
      const collection = (t: Tenant, db: string, col: string) =>
        created.add(key(t, db, col)) &&
        clients[t]
          .withDatabase({ tenant: t, database: db })
          .getOrCreateCollection({ name: prefix + col, embeddingFunction: null });
      for (const op of ops) {
        if (op.kind === "write") {
          const c = await collection(op.who, op.db, op.col);
          const doc = `${op.who}:${op.id}:${++writes}`;
          await c.upsert({ ids: [op.id], embeddings: [[1, 2, 3]], documents: [doc] });
          const k = key(op.who, op.db, op.col);
          model.set(k, (model.get(k) ?? new Map()).set(op.id, doc));
        } else if (op.kind === "delete") {
          const c = await collection(op.who, op.db, op.col);
          await c.delete({ ids: [op.id] });
          model.get(key(op.who, op.db, op.col))?.delete(op.id);
        } else if (op.kind === "read") {
          const c = await collection(op.who, op.db, op.col);
          const got = await c.get({});
          const want = model.get(key(op.who, op.db, op.col)) ?? new Map();
          expect(new Map(got.ids.map((id, i) => [id, got.documents[i]]))).toEqual(want);
          for (const doc of got.documents) expect(doc?.startsWith(`${op.who}:`)).toBe(true);
          const listed = await clients[op.who]
            .withDatabase({ tenant: op.who, database: op.db })
            .listCollections();
          const mine = [...created]
            .filter((k) => k.startsWith(`${op.who}/${op.db}/`))
            .map((k) => k.split("/")[2]);
          expect(
            listed
              .map((col) => col.name)
              .filter((n) => n.startsWith(prefix))
              .sort(),
          ).toEqual(mine.sort());
        } else {
          // Reach into the other tenant with this tenant's token: always what a missing tenant answers.
          const target = clients[op.who].withDatabase({ tenant: other(op.who), database: op.db });
          const missing = clients[op.who].withDatabase({ tenant: "no-such-tenant", database: op.db });
          const attempt = (c: CairnClient) => {
            if (op.how === "get") return c.getCollection({ name: prefix + op.col, embeddingFunction: null });
            if (op.how === "list") return c.listCollections();
            if (op.how === "create")
              return c.createCollection({ name: prefix + op.col, embeddingFunction: null });
            return c.listDatabases({ tenant: c === target ? other(op.who) : "no-such-tenant" });
          };
          const [hidden, absent] = [await errorOf(attempt(target)), await errorOf(attempt(missing))];
          expect(hidden?.code).toBe("TENANT_NOT_FOUND");
          expect(hidden?.code).toBe(absent?.code);
          expect(hidden?.message?.replace(other(op.who), "X")).toBe(
            absent?.message?.replace("no-such-tenant", "X"),
          );
        }
      }
      // Finally, each tenant's view of every collection is exactly what it wrote.
      for (const t of TENANTS)
        for (const db of DATABASES)
          for (const col of COLLECTIONS) {
            const want = model.get(key(t, db, col));
            if (!want) continue;
            const got = await (await collection(t, db, col)).get({});
            expect([...got.ids].sort()).toEqual([...want.keys()].sort());
          }
    }),
    { numRuns: 25 },
  );
});
