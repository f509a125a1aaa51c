/** Tenants and databases. */
import { arr, nullable, obj, ref, str, u32 } from "../schema";
import type { RouteDef } from "./types";

/** Chroma's "no limit" (u32::MAX). */
export const NO_LIMIT = 4_294_967_295;

const TENANT = "/api/v2/tenants/{tenant_name}";
const DATABASES = "/api/v2/tenants/{tenant}/databases";
const DATABASE = "/api/v2/tenants/{tenant}/databases/{database}";
const empty = { status: 200, description: "Done", schema: obj({}) };

/** Tenant and database routes. */
export const tenantRoutes: RouteDef[] = [
  {
    method: "post",
    path: "/api/v2/tenants",
    operationId: "create_tenant",
    summary: "Creates a tenant.",
    tag: "tenants",
    body: ref("CreateTenantPayload"),
    ok: empty,
    errors: [400, 409, 422],
    async handle({ body }, env) {
      await env.client.createTenant({ name: body.name });
      return { body: {} };
    },
  },
  {
    method: "get",
    path: TENANT,
    operationId: "get_tenant",
    summary: "Returns a tenant.",
    tag: "tenants",
    ok: {
      status: 200,
      description: "The tenant",
      schema: obj({ name: str(), resource_name: nullable(str()) }),
    },
    errors: [404],
    async handle({ params }, env) {
      const tenant = await env.client.getTenant({ name: params.tenant_name! });
      return { body: { name: tenant.name, resource_name: null } };
    },
  },
  {
    method: "patch",
    path: TENANT,
    operationId: "update_tenant",
    summary: "Accepted for compatibility; a local server has no resource names (no-op).",
    tag: "tenants",
    body: ref("UpdateTenantPayload"),
    ok: empty,
    errors: [404, 422],
    async handle({ params }, env) {
      await env.client.getTenant({ name: params.tenant_name! });
      return { body: {} };
    },
  },
  {
    method: "get",
    path: DATABASES,
    operationId: "list_databases",
    summary: "Lists a tenant's databases.",
    tag: "databases",
    query: { limit: u32(), offset: u32() },
    ok: { status: 200, description: "Databases", schema: arr(ref("Database")) },
    errors: [400],
    async handle({ params, query, seesDatabase }, env) {
      const limit = (query.limit as number | undefined) ?? NO_LIMIT;
      const offset = (query.offset as number | undefined) ?? 0;
      // A scoped token pages through the databases it sees, so those are filtered before the page is cut.
      const rows = seesDatabase
        ? (await env.client.listDatabases({ tenant: params.tenant!, limit: NO_LIMIT, offset: 0 }))
            .filter((d) => seesDatabase(d.name))
            .slice(offset, offset + limit)
        : await env.client.listDatabases({ tenant: params.tenant!, limit, offset });
      return { body: rows.map((d) => ({ id: d.id, name: d.name, tenant: d.tenant })) };
    },
  },
  {
    method: "post",
    path: DATABASES,
    operationId: "create_database",
    summary: "Creates a database (and its tenant if needed, like Chroma).",
    tag: "databases",
    body: ref("CreateDatabasePayload"),
    ok: empty,
    errors: [400, 409, 422],
    async handle({ params, body }, env) {
      await env.client.createDatabase({ tenant: params.tenant!, name: body.name });
      return { body: {} };
    },
  },
  {
    method: "get",
    path: DATABASE,
    operationId: "get_database",
    summary: "Returns a database.",
    tag: "databases",
    ok: { status: 200, description: "The database", schema: ref("Database") },
    errors: [404],
    async handle({ params }, env) {
      const d = await env.client.getDatabase({ tenant: params.tenant!, name: params.database! });
      return { body: { id: d.id, name: d.name, tenant: d.tenant } };
    },
  },
  {
    method: "delete",
    path: DATABASE,
    operationId: "delete_database",
    summary: "Deletes a database and every collection in it.",
    tag: "databases",
    ok: empty,
    errors: [404],
    async handle({ params }, env) {
      await env.client.deleteDatabase({ tenant: params.tenant!, name: params.database! });
      return { body: {} };
    },
  },
];
