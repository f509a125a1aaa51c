/**
 * The read verbs: get, query and count, each in one read transaction (one consistent snapshot). Get and query
 * build a plan as plain data (`planner.ts`) and run it (`executor.ts`).
 */
import * as store from "../storage";
import type { GetColumns, QueryColumns } from "../types";
import type { EngineContext } from "./context";
import { explainQuery as explainPlan, runGet, runQuery } from "./executor";
import * as ns from "./namespaces";
import type { GetRequest, QueryPlan, QueryRequest } from "./planner";

/** Selected records in insertion order, column-wise. */
export function getRecords(ctx: EngineContext, collectionId: string, request: GetRequest): GetColumns {
  return ctx.tx.read(() => runGet(ctx.db, ns.requireCollection(ctx.db, collectionId), request));
}

/** Nearest neighbours among the selected records, column-wise: one inner array per query vector. */
export function queryRecords(ctx: EngineContext, collectionId: string, request: QueryRequest): QueryColumns {
  return ctx.tx.read(() => runQuery(ctx, ns.requireCollection(ctx.db, collectionId), request));
}

/** The plan a query would run with (allowed set resolved, nothing searched), for debugging. */
export function explainQuery(ctx: EngineContext, collectionId: string, request: QueryRequest): QueryPlan {
  return ctx.tx.read(() => explainPlan(ctx, ns.requireCollection(ctx.db, collectionId), request));
}

/** Number of records in a collection. */
export function count(ctx: EngineContext, collectionId: string): number {
  return ctx.tx.read(() => {
    ns.requireCollection(ctx.db, collectionId);
    return store.countRecords(ctx.db, collectionId);
  });
}
