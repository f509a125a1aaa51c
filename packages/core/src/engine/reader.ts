/**
 * The read path: resolve filters to labels in SQLite, search the vector index (restricted to those labels),
 * then hydrate the winners in one statement.
 */
import { DimensionMismatchError } from "../errors";
import type { DocumentNode, WhereNode } from "../filter";
import { type Db, hydrate, type RecordRow, type RecordSelection, selectLabels, whereDocumentToSql, whereToSql } from "../storage";
import type { CollectionInfo, IndexManager } from "./index-manager";

/** Filters of a get, query or delete. */
export interface Selection {
  ids?: readonly string[] | undefined;
  where?: WhereNode | undefined;
  whereDocument?: DocumentNode | undefined;
}

/** A query's hit before hydration. */
export interface Hit {
  row: RecordRow;
  distance: number;
}

function toSql(collectionId: string, selection: Selection): RecordSelection {
  return {
    ids: selection.ids,
    where: selection.where ? whereToSql(selection.where, collectionId) : undefined,
    whereDocument: selection.whereDocument ? whereDocumentToSql(selection.whereDocument, collectionId) : undefined,
  };
}

const hasFilter = (s: Selection): boolean => s.ids !== undefined || s.where !== undefined || s.whereDocument !== undefined;

/** Labels matching a selection, in insertion order. */
export function selectedLabels(
  db: Db,
  collectionId: string,
  selection: Selection,
  page?: { limit?: number | undefined; offset?: number | undefined },
): number[] {
  return selectLabels(db, collectionId, toSql(collectionId, selection), page);
}

/** Records matching a selection, in insertion order. */
export function getRows(
  db: Db,
  collectionId: string,
  selection: Selection,
  page: { limit?: number | undefined; offset?: number | undefined },
  withEmbeddings: boolean,
): RecordRow[] {
  return hydrate(db, selectedLabels(db, collectionId, selection, page), withEmbeddings);
}

/** Nearest neighbours of each query vector among the selected records. Call inside a read transaction. */
export function queryRows(
  db: Db,
  indexes: IndexManager,
  collection: CollectionInfo,
  query: { vectors: Float32Array[]; k: number; selection: Selection; withEmbeddings: boolean },
): Hit[][] {
  const { vectors, k, selection } = query;
  const index = indexes.current(collection);
  for (const [i, vector] of vectors.entries()) {
    if (collection.dimension !== null && vector.length !== collection.dimension) {
      throw new DimensionMismatchError(
        "DIMENSION_MISMATCH",
        `queryEmbeddings[${i}]: collection '${collection.name}' expects vectors of dimension ${collection.dimension}, got ${vector.length}. Query with the embedding model the collection was built with.`,
        { details: { path: `queryEmbeddings[${i}]`, expected: collection.dimension, got: vector.length } },
      );
    }
  }
  if (!index || k === 0) return vectors.map(() => []);
  let allowed: number[] | undefined;
  if (hasFilter(selection)) {
    allowed = selectedLabels(db, collection.id, selection);
    if (allowed.length === 0) return vectors.map(() => []);
  }
  const allowedSet = allowed && allowed.length > 64 ? new Set(allowed) : allowed;
  const results = vectors.map((vector) => index.search(vector, k, { allowed: allowedSet }));
  const labels = [...new Set(results.flatMap((r) => r.labels))];
  const rows = new Map(hydrate(db, labels, query.withEmbeddings).map((row) => [row.label, row]));
  return results.map((result) =>
    result.labels.flatMap((label, j) => {
      const row = rows.get(label);
      return row ? [{ row, distance: result.distances[j]! }] : [];
    }),
  );
}
