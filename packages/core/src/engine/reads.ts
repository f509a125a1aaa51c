/**
 * The read verbs: get, query and count, each in one read transaction (one consistent snapshot).
 */
import * as store from "../storage";
import type { EngineContext } from "./context";
import * as ns from "./namespaces";
import { getRows, type Hit, queryRows, type Selection } from "./reader";

/** Selected records in insertion order. */
export function getRecords(
  ctx: EngineContext,
  collectionId: string,
  selection: Selection,
  page: { limit?: number | undefined; offset?: number | undefined },
  withEmbeddings: boolean,
): store.RecordRow[] {
  return ctx.tx.read(() => {
    ns.requireCollection(ctx.db, collectionId);
    return getRows(ctx.db, collectionId, selection, page, withEmbeddings);
  });
}

/** Nearest neighbours among the selected records, one list per query vector. */
export function queryRecords(
  ctx: EngineContext,
  collectionId: string,
  query: { vectors: Float32Array[]; k: number; selection: Selection; withEmbeddings: boolean },
): Hit[][] {
  return ctx.tx.read(() => queryRows(ctx.db, ctx.indexes, ns.requireCollection(ctx.db, collectionId), query));
}

/** Number of records in a collection. */
export function count(ctx: EngineContext, collectionId: string): number {
  return ctx.tx.read(() => {
    ns.requireCollection(ctx.db, collectionId);
    return store.countRecords(ctx.db, collectionId);
  });
}
