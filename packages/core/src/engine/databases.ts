/**
 * Tenants and databases (Chroma's namespaces), and `reset`. Each function is one transaction through the
 * context's `Transactor`.
 */
import { rmSync } from "node:fs";
import { join } from "node:path";
import * as store from "../storage";
import { requireName } from "./arguments";
import { forgetCollections } from "./collections";
import type { EngineContext } from "./context";
import * as ns from "./namespaces";

/** Creates a tenant. */
export function createTenant(ctx: EngineContext, name: string): void {
  ctx.tx.write(() => ns.createTenant(ctx.db, name));
}

/** Whether a tenant exists. */
export function tenantExists(ctx: EngineContext, name: string): boolean {
  return ctx.tx.read(() => store.tenantExists(ctx.db, requireName(name, "name")));
}

/** Creates a database under a tenant (creating the tenant if needed, as Chroma does). */
export function createDatabase(ctx: EngineContext, tenant: string, name: string): ns.DatabaseModel {
  return ctx.tx.write(() => ns.createDatabase(ctx.db, tenant, name));
}

/** A database row. */
export function getDatabase(ctx: EngineContext, tenant: string, name: string): ns.DatabaseModel {
  return ctx.tx.read(() => ({ id: ns.databaseId(ctx.db, tenant, name), tenant, name }));
}

/** A tenant's databases. */
export function listDatabases(
  ctx: EngineContext,
  tenant: string,
  limit: number,
  offset: number,
): ns.DatabaseModel[] {
  return ctx.tx.read(() => store.listDatabases(ctx.db, requireName(tenant, "tenant"), limit, offset));
}

/** Deletes a database and its collections. */
export function deleteDatabase(ctx: EngineContext, tenant: string, name: string): void {
  const ids = ctx.tx.write(() => {
    const databaseId = ns.databaseId(ctx.db, tenant, name);
    const rows = store.listCollectionRows(ctx.db, databaseId, -1, 0);
    for (const row of rows) store.deleteCollectionRows(ctx.db, row.id);
    store.deleteDatabaseRow(ctx.db, databaseId);
    return rows.map((r) => r.id);
  });
  forgetCollections(ctx, ids);
}

/** Deletes everything: every tenant, database and collection (the defaults are recreated). */
export function reset(ctx: EngineContext): void {
  ctx.tx.write(() => store.deleteAllData(ctx.db));
  ctx.indexes.close(() => undefined);
  ctx.known.clear();
  const root = ctx.root;
  if (root) ctx.tx.guard(() => rmSync(join(root, "index"), { recursive: true, force: true }));
}
