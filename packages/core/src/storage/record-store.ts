/**
 * Record rows: insert, update, delete, select by filters, hydrate (decoded, column-wise), and the change feed (records and
 * tombstones by sequence number) that vector indexes catch up from. Synchronous; the engine owns transactions.
 */
import type { Metadata } from "../types";
import type { Db } from "./database";
import type { SqlFragment } from "./filter-sql";
import { metadataToRows } from "./metadata-rows";
import { stmt } from "./statements";
import {
  bytesToFloat32 as blobToVector,
  bytesToNumbers as blobToNumbers,
  float32ToBytes as vectorToBlob,
} from "../internal";

/** The stored state of a record, as needed to merge an update. */
export interface ExistingRecord {
  label: number;
  id: string;
  document: string | null;
  uri: string | null;
  /** Metadata JSON text or null. */
  metadata: string | null;
}

/** A record to insert or overwrite. */
export interface RecordWrite {
  id: string;
  embedding: Float32Array;
  document: string | null;
  uri: string | null;
  metadata: Metadata | null;
}

/** Filters that select records of one collection. */
export interface RecordSelection {
  ids?: readonly string[] | undefined;
  where?: SqlFragment | undefined;
  whereDocument?: SqlFragment | undefined;
}

/** Increments and returns the global write sequence number. Call inside a write transaction. */
export function nextSeq(db: Db): number {
  return (
    stmt(db, "UPDATE meta SET value = value + 1 WHERE key = 'seq' RETURNING value").get() as { value: number }
  ).value;
}

/** The last committed write sequence number. */
export function currentSeq(db: Db): number {
  return (stmt(db, "SELECT value FROM meta WHERE key = 'seq'").get() as { value: number }).value;
}

/** Sequence number at or below which a collection's tombstones have been pruned. */
export function tombstoneHorizon(db: Db, collectionId: string): number {
  return (
    (stmt(db, "SELECT tombstone_horizon FROM collections WHERE id = ?").pluck().get(collectionId) as
      | number
      | undefined) ?? 0
  );
}

/** Looks up existing records by id (any number of ids: one JSON parameter). */
export function findExisting(
  db: Db,
  collectionId: string,
  ids: readonly string[],
): Map<string, ExistingRecord> {
  const rows = stmt(
    db,
    "SELECT label, id, document, uri, metadata FROM records WHERE collection_id = ? AND id IN (SELECT value FROM json_each(?))",
  ).all(collectionId, JSON.stringify(ids)) as ExistingRecord[];
  return new Map(rows.map((row) => [row.id, row]));
}

function writeMetadataRows(db: Db, collectionId: string, label: number, metadata: Metadata | null): void {
  stmt(db, "DELETE FROM record_metadata WHERE label = ?").run(label);
  if (!metadata) return;
  const insert = stmt(
    db,
    "INSERT INTO record_metadata (label, collection_id, key, type, str, num, is_array) VALUES (?, ?, ?, ?, ?, ?, ?)",
  );
  for (const row of metadataToRows(metadata))
    insert.run(label, collectionId, row.key, row.type, row.str, row.num, row.isArray);
}

function writeFts(db: Db, label: number, document: string | null, replace: boolean): void {
  if (replace) stmt(db, "DELETE FROM records_fts WHERE rowid = ?").run(label);
  if (document !== null)
    stmt(db, "INSERT INTO records_fts (rowid, document) VALUES (?, ?)").run(label, document);
}

const metadataJson = (metadata: Metadata | null): string | null =>
  metadata && Object.keys(metadata).length > 0 ? JSON.stringify(metadata) : null;

/** Inserts a new record at the end of the collection's order; returns its label. */
export function insertRecord(db: Db, collectionId: string, seq: number, record: RecordWrite): number {
  const result = stmt(
    db,
    "INSERT INTO records (collection_id, id, seq, embedding, document, uri, metadata) VALUES (?, ?, ?, ?, ?, ?, ?)",
  ).run(
    collectionId,
    record.id,
    seq,
    vectorToBlob(record.embedding),
    record.document,
    record.uri,
    metadataJson(record.metadata),
  );
  const label = Number(result.lastInsertRowid);
  writeMetadataRows(db, collectionId, label, record.metadata);
  writeFts(db, label, record.document, false);
  return label;
}

/**
 * Overwrites an existing record in place (its position in the order is kept). `embedding` undefined keeps the
 * stored vector and does not bump the record's sequence number (indexes need not revisit it).
 */
export function updateRecord(
  db: Db,
  collectionId: string,
  label: number,
  seq: number,
  record: Omit<RecordWrite, "embedding" | "id"> & { embedding?: Float32Array | undefined },
  documentChanged: boolean,
): void {
  if (record.embedding) {
    stmt(
      db,
      "UPDATE records SET seq = ?, embedding = ?, document = ?, uri = ?, metadata = ? WHERE label = ?",
    ).run(
      seq,
      vectorToBlob(record.embedding),
      record.document,
      record.uri,
      metadataJson(record.metadata),
      label,
    );
  } else {
    stmt(db, "UPDATE records SET document = ?, uri = ?, metadata = ? WHERE label = ?").run(
      record.document,
      record.uri,
      metadataJson(record.metadata),
      label,
    );
  }
  writeMetadataRows(db, collectionId, label, record.metadata);
  if (documentChanged) writeFts(db, label, record.document, true);
}

/** Deletes records by label and leaves tombstones for other processes' indexes. */
export function deleteRecords(db: Db, collectionId: string, seq: number, labels: readonly number[]): void {
  const json = JSON.stringify(labels);
  stmt(db, "DELETE FROM records_fts WHERE rowid IN (SELECT value FROM json_each(?))").run(json);
  stmt(db, "DELETE FROM record_metadata WHERE label IN (SELECT value FROM json_each(?))").run(json);
  stmt(db, "DELETE FROM records WHERE label IN (SELECT value FROM json_each(?))").run(json);
  stmt(db, "INSERT INTO tombstones (collection_id, label, seq) SELECT ?, value, ? FROM json_each(?)").run(
    collectionId,
    seq,
    json,
  );
}

function selectionSql(collectionId: string, selection: RecordSelection): { sql: string; params: unknown[] } {
  let sql = "SELECT label FROM records WHERE collection_id = ?";
  const params: unknown[] = [collectionId];
  if (selection.ids) {
    sql += " AND id IN (SELECT value FROM json_each(?))";
    params.push(JSON.stringify(selection.ids));
  }
  for (const fragment of [selection.where, selection.whereDocument]) {
    if (!fragment) continue;
    sql += ` AND label IN (${fragment.sql})`;
    params.push(...fragment.params);
  }
  return { sql, params };
}

/** Labels of the selected records in insertion order, after offset/limit. */
export function selectLabels(
  db: Db,
  collectionId: string,
  selection: RecordSelection,
  page: { limit?: number | undefined; offset?: number | undefined } = {},
): number[] {
  const { sql, params } = selectionSql(collectionId, selection);
  const paged = `${sql} ORDER BY label LIMIT ? OFFSET ?`;
  return stmt(db, paged)
    .pluck()
    .all(...params, page.limit ?? -1, page.offset ?? 0) as number[];
}

/** Which stored fields to read (ids are always read). */
export interface ColumnSelection {
  documents: boolean;
  metadatas: boolean;
  embeddings: boolean;
  uris: boolean;
}

/**
 * Records decoded and column-wise: `labels[i]`, `ids[i]`, … describe one record. A column that was not asked
 * for is `[]` (Chroma's result shape); metadata is parsed, embeddings are plain number arrays.
 */
export interface RecordColumns {
  labels: number[];
  ids: string[];
  documents: (string | null)[];
  metadatas: (Metadata | null)[];
  embeddings: number[][];
  uris: (string | null)[];
}

interface HydratedRow {
  label: number;
  id: string;
  document?: string | null;
  uri?: string | null;
  metadata?: string | null;
  embedding?: Buffer;
}

/**
 * Reads and decodes the given records in one statement, in the order of `labels` (labels that no longer exist
 * are skipped), reading only the selected fields.
 */
export function hydrateColumns(db: Db, labels: readonly number[], select: ColumnSelection): RecordColumns {
  const columns: RecordColumns = {
    labels: [],
    ids: [],
    documents: [],
    metadatas: [],
    embeddings: [],
    uris: [],
  };
  if (labels.length === 0) return columns;
  const fields = ["r.label", "r.id"];
  if (select.documents) fields.push("r.document");
  if (select.metadatas) fields.push("r.metadata");
  if (select.embeddings) fields.push("r.embedding");
  if (select.uris) fields.push("r.uri");
  const rows = stmt(
    db,
    `SELECT ${fields.join(", ")} FROM json_each(?) AS j JOIN records AS r ON r.label = j.value ORDER BY j.key`,
  ).all(JSON.stringify(labels)) as HydratedRow[];
  for (const row of rows) {
    columns.labels.push(row.label);
    columns.ids.push(row.id);
    if (select.documents) columns.documents.push(row.document ?? null);
    if (select.metadatas)
      columns.metadatas.push(row.metadata ? (JSON.parse(row.metadata) as Metadata) : null);
    if (select.embeddings) columns.embeddings.push(row.embedding ? blobToNumbers(row.embedding) : []);
    if (select.uris) columns.uris.push(row.uri ?? null);
  }
  return columns;
}

/** Number of records of a collection. */
export function countRecords(db: Db, collectionId: string): number {
  return stmt(db, "SELECT count(*) FROM records WHERE collection_id = ?").pluck().get(collectionId) as number;
}

/** Records whose vector changed after `seq` (inserted or re-embedded), for index catch-up. */
export function* vectorsSince(
  db: Db,
  collectionId: string,
  seq: number,
): Generator<{ label: number; vector: Float32Array }> {
  const iter = stmt(
    db,
    "SELECT label, embedding FROM records WHERE collection_id = ? AND seq > ? ORDER BY label",
  ).iterate(collectionId, seq) as IterableIterator<{ label: number; embedding: Buffer }>;
  for (const row of iter) yield { label: row.label, vector: blobToVector(row.embedding) };
}

/** Labels deleted after `seq`, for index catch-up. */
export function deletedSince(db: Db, collectionId: string, seq: number): number[] {
  return stmt(db, "SELECT label FROM tombstones WHERE collection_id = ? AND seq > ?")
    .pluck()
    .all(collectionId, seq) as number[];
}

/** Reads the vectors of the given labels (for exact scans). */
export function vectorsOf(db: Db, labels: readonly number[]): { label: number; vector: Float32Array }[] {
  const rows = stmt(
    db,
    "SELECT r.label, r.embedding FROM json_each(?) AS j JOIN records AS r ON r.label = j.value",
  ).all(JSON.stringify(labels)) as { label: number; embedding: Buffer }[];
  return rows.map((row) => ({ label: row.label, vector: blobToVector(row.embedding) }));
}

/**
 * Prunes a collection's tombstones at or below `seq` (after an index snapshot that covers them) and advances
 * its horizon: a process whose index is older than the horizon reloads instead of catching up.
 */
export function pruneTombstones(db: Db, collectionId: string, seq: number): void {
  stmt(db, "DELETE FROM tombstones WHERE collection_id = ? AND seq <= ?").run(collectionId, seq);
  stmt(db, "UPDATE collections SET tombstone_horizon = max(tombstone_horizon, ?) WHERE id = ?").run(
    seq,
    collectionId,
  );
}

/**
 * The labels a filter fragment (from `whereToSql` / `whereDocumentToSql`) matches, in no particular order.
 * Filters of one shape share one prepared statement: their values are parameters.
 */
export function labelsMatching(db: Db, fragment: SqlFragment): number[] {
  return stmt(db, fragment.sql)
    .pluck()
    .all(...fragment.params) as number[];
}
