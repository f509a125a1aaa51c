/**
 * Selections → labels in SQLite: the first step of get, query and delete. What happens next is planned in
 * `planner.ts` and run by `executor.ts`.
 */
import type { DocumentNode, WhereNode } from "../filter";
import {
  type Db,
  labelsMatching,
  type RecordSelection,
  type SqlFragment,
  selectLabels,
  whereDocumentToSql,
  whereToSql,
} from "../storage";

/** Filters of a get, query or delete. */
export interface Selection {
  ids?: readonly string[] | undefined;
  where?: WhereNode | undefined;
  whereDocument?: DocumentNode | undefined;
}

function toSql(collectionId: string, selection: Selection): RecordSelection {
  return {
    ids: selection.ids,
    where: selection.where ? whereToSql(selection.where, collectionId) : undefined,
    whereDocument: selection.whereDocument
      ? whereDocumentToSql(selection.whereDocument, collectionId)
      : undefined,
  };
}

/** Whether a selection restricts the records at all. */
export const hasFilter = (s: Selection): boolean =>
  s.ids !== undefined || s.where !== undefined || s.whereDocument !== undefined;

/** Labels matching a selection, in insertion order. */
export function selectedLabels(
  db: Db,
  collectionId: string,
  selection: Selection,
  page?: { limit?: number | undefined; offset?: number | undefined },
): number[] {
  return selectLabels(db, collectionId, toSql(collectionId, selection), page);
}

/**
 * Labels matching a selection, in no particular order (a query needs none). `where` / `whereDocument`
 * fragments already yield the collection's live labels, so they run directly instead of `selectLabels`' scan
 * of every record in insertion order; `ids` still go through `selectLabels`.
 */
export function matchingLabels(db: Db, collectionId: string, selection: Selection): number[] {
  if (selection.ids !== undefined) return selectedLabels(db, collectionId, selection);
  const sql = toSql(collectionId, selection);
  const sets = [sql.where, sql.whereDocument]
    .filter((f): f is SqlFragment => f !== undefined)
    .map((f) => labelsMatching(db, f));
  if (sets.length === 1) return sets[0]!;
  const second = new Set(sets[1]);
  return sets[0]!.filter((label) => second.has(label));
}
