/**
 * Statements of the operations tools (backup, restore, check and repair): copying the database at one point in
 * time, summarising what a copy holds, and comparing / rebuilding the structures derived from `records`
 * (metadata rows and the full-text index). Synchronous; the caller owns transactions.
 */
import type { Metadata } from "../types";
import type { Db } from "./database";
import { type MetadataRow, metadataToRows } from "./metadata-rows";
import { currentSeq } from "./record-store";
import { stmt } from "./statements";

/**
 * Copies the whole database into a new file `target` with `VACUUM INTO`: one read transaction, so the copy is
 * the database at exactly one commit, while other connections keep writing (WAL). Must not run inside a
 * transaction; `target` must not exist.
 */
export function vacuumInto(db: Db, target: string): void {
  stmt(db, "VACUUM INTO ?").run(target);
}

/** Switches a database file that no other connection uses to a rollback journal, so it is one self-contained file. */
export function useRollbackJournal(db: Db): void {
  db.pragma("journal_mode = DELETE");
}

/** The format version (`PRAGMA user_version`) of an open database. */
export function schemaVersionOf(db: Db): number {
  return db.pragma("user_version", { simple: true }) as number;
}

/** A collection and its size, as a backup manifest lists it. */
export interface CollectionSummary {
  id: string;
  tenant: string;
  database: string;
  name: string;
  dimension: number | null;
  count: number;
}

/** Every collection of the database with its record count, in creation order. */
export function collectionSummaries(db: Db): CollectionSummary[] {
  return stmt(
    db,
    `SELECT c.id, d.tenant, d.name AS database, c.name, c.dimension,
            (SELECT count(*) FROM records r WHERE r.collection_id = c.id) AS count
       FROM collections c JOIN databases d ON d.id = c.database_id
      ORDER BY c.created_at, c.id`,
  ).all() as CollectionSummary[];
}

/** Forgets every lease (a copy must not inherit the jobs the source's processes held). */
export function clearLeases(db: Db): void {
  stmt(db, "DELETE FROM leases").run();
}

/** Forgets one registered index snapshot (a copy whose folder could not be copied). */
export function forgetSnapshot(db: Db, collectionId: string, name: string): void {
  stmt(db, "DELETE FROM index_snapshots WHERE collection_id = ? AND name = ?").run(collectionId, name);
}

/** Every registered snapshot of every collection. */
export function allRegisteredSnapshots(db: Db): { collectionId: string; name: string; watermark: number }[] {
  return stmt(
    db,
    "SELECT collection_id AS collectionId, name, watermark FROM index_snapshots ORDER BY collection_id, watermark DESC",
  ).all() as { collectionId: string; name: string; watermark: number }[];
}

/**
 * SQLite's full structural check (`PRAGMA integrity_check`): the problems it reports (at most `limit`), or an
 * empty list when the file is sound. Reads the whole file.
 */
export function integrityCheck(db: Db, limit = 20): string[] {
  const rows = db.pragma(`integrity_check(${Math.max(1, Math.floor(limit))})`) as {
    integrity_check: string;
  }[];
  return rows.map((row) => row.integrity_check).filter((text) => text !== "ok");
}

/** The labels of the records in `[from, to)`, ascending, with their collection, document and metadata text. */
interface RecordSlice {
  label: number;
  collectionId: string;
  document: string | null;
  metadata: string | null;
}

/** The highest record label in use (0 when there are none). */
export function maxLabel(db: Db): number {
  return (stmt(db, "SELECT coalesce(max(label), 0) FROM records").pluck().get() as number) ?? 0;
}

/** The highest label the derived tables mention (orphans beyond the last record count too). */
function maxDerivedLabel(db: Db): number {
  const meta = stmt(db, "SELECT coalesce(max(label), 0) FROM record_metadata").pluck().get() as number;
  const fts = stmt(db, "SELECT coalesce(max(rowid), 0) FROM records_fts").pluck().get() as number;
  return Math.max(meta, fts);
}

/** Labels per slice when the derived tables are compared with `records`. */
const SLICE = 2000;

/** What disagrees between `records` and one derived table. */
export interface DerivedMismatch {
  /** Records whose derived rows are missing or differ, as `[collection id, record id]` (at most `sample`). */
  records: { collectionId: string; id: string; label: number }[];
  /** How many records disagree in all. */
  recordCount: number;
  /** Derived rows whose record does not exist (label). */
  orphanCount: number;
}

const rowKey = (row: MetadataRow): string =>
  `${row.key}\u0000${row.type}\u0000${row.str ?? ""}\u0000${row.num ?? ""}\u0000${row.isArray}`;

/** The metadata rows a record's stored metadata JSON should have, as sorted comparable keys. */
function expectedMetadataKeys(metadata: string | null): string[] {
  if (!metadata) return [];
  return metadataToRows(JSON.parse(metadata) as Metadata)
    .map(rowKey)
    .sort();
}

/**
 * Compares `record_metadata` with the metadata JSON of every record (the rows filters use must be exactly the
 * flattening of `records.metadata`). Call inside a read transaction.
 */
export function compareMetadataRows(db: Db, sample = 20): DerivedMismatch {
  const result: DerivedMismatch = { records: [], recordCount: 0, orphanCount: 0 };
  const last = Math.max(maxLabel(db), maxDerivedLabel(db));
  const records = stmt(
    db,
    "SELECT label, collection_id AS collectionId, id, metadata FROM records WHERE label >= ? AND label < ? ORDER BY label",
  );
  const rows = stmt(
    db,
    "SELECT label, collection_id AS collectionId, key, type, str, num, is_array AS isArray FROM record_metadata WHERE label >= ? AND label < ?",
  );
  for (let from = 0; from <= last; from += SLICE) {
    const stored = new Map<number, { collectionId: string; keys: string[] }>();
    for (const row of rows.all(from, from + SLICE) as (MetadataRow & {
      label: number;
      collectionId: string;
    })[]) {
      let entry = stored.get(row.label);
      if (!entry) {
        entry = { collectionId: row.collectionId, keys: [] };
        stored.set(row.label, entry);
      }
      entry.keys.push(rowKey(row));
    }
    for (const record of records.all(from, from + SLICE) as (RecordSlice & { id: string })[]) {
      const entry = stored.get(record.label);
      stored.delete(record.label);
      const actual = (entry?.keys ?? []).sort();
      const expected = expectedMetadataKeys(record.metadata);
      const same =
        actual.length === expected.length &&
        actual.every((key, i) => key === expected[i]) &&
        (entry === undefined || entry.collectionId === record.collectionId);
      if (same) continue;
      result.recordCount++;
      if (result.records.length < sample)
        result.records.push({ collectionId: record.collectionId, id: record.id, label: record.label });
    }
    result.orphanCount += stored.size;
  }
  return result;
}

/** Compares the full-text index with the documents of every record (one FTS row per record with a document). */
export function compareFts(db: Db, sample = 20): DerivedMismatch {
  const result: DerivedMismatch = { records: [], recordCount: 0, orphanCount: 0 };
  const last = Math.max(maxLabel(db), maxDerivedLabel(db));
  const records = stmt(
    db,
    "SELECT label, collection_id AS collectionId, id, document FROM records WHERE label >= ? AND label < ? ORDER BY label",
  );
  const fts = stmt(db, "SELECT rowid AS label, document FROM records_fts WHERE rowid >= ? AND rowid < ?");
  for (let from = 0; from <= last; from += SLICE) {
    const indexed = new Map<number, string | null>();
    for (const row of fts.all(from, from + SLICE) as { label: number; document: string | null }[])
      indexed.set(row.label, row.document);
    for (const record of records.all(from, from + SLICE) as (RecordSlice & { id: string })[]) {
      const has = indexed.has(record.label);
      const text = indexed.get(record.label);
      indexed.delete(record.label);
      const same = record.document === null ? !has : has && text === record.document;
      if (same) continue;
      result.recordCount++;
      if (result.records.length < sample)
        result.records.push({ collectionId: record.collectionId, id: record.id, label: record.label });
    }
    result.orphanCount += indexed.size;
  }
  return result;
}

/**
 * Rebuilds every `record_metadata` row from `records.metadata` (the JSON is the source of truth). Returns the
 * number of rows written. Call inside a write transaction; no record is touched.
 */
export function rebuildMetadataRows(db: Db): number {
  stmt(db, "DELETE FROM record_metadata").run();
  const insert = stmt(
    db,
    "INSERT INTO record_metadata (label, collection_id, key, type, str, num, is_array) VALUES (?, ?, ?, ?, ?, ?, ?)",
  );
  const select = stmt(
    db,
    "SELECT label, collection_id AS collectionId, metadata FROM records WHERE label > ? AND metadata IS NOT NULL ORDER BY label LIMIT ?",
  );
  let written = 0;
  for (let after = 0; ; ) {
    const batch = select.all(after, SLICE) as { label: number; collectionId: string; metadata: string }[];
    if (batch.length === 0) break;
    for (const record of batch) {
      for (const row of metadataToRows(JSON.parse(record.metadata) as Metadata)) {
        insert.run(record.label, record.collectionId, row.key, row.type, row.str, row.num, row.isArray);
        written++;
      }
    }
    after = batch[batch.length - 1]!.label;
  }
  return written;
}

/**
 * Rebuilds the full-text index from `records.document`. Returns the number of documents indexed. Call inside a
 * write transaction; no record is touched.
 */
export function rebuildFts(db: Db): number {
  stmt(db, "DELETE FROM records_fts").run();
  return stmt(
    db,
    "INSERT INTO records_fts (rowid, document) SELECT label, document FROM records WHERE document IS NOT NULL ORDER BY label",
  ).run().changes;
}

/** Facts about the records a check verifies: vectors of the wrong length, orphans, sequence numbers. */
export interface RecordFacts {
  /** Records whose vector length differs from their collection's dimension. */
  badVectors: number;
  /** Records of no collection. */
  orphans: number;
  /** The highest record sequence number, and the database's. */
  maxRecordSeq: number;
  seq: number;
  /** All records. */
  total: number;
}

/** {@link RecordFacts} of the database. Call inside a read transaction. */
export function recordFacts(db: Db): RecordFacts {
  const count = (sql: string) => stmt(db, sql).pluck().get() as number;
  return {
    badVectors: count(
      "SELECT count(*) FROM records r JOIN collections c ON c.id = r.collection_id WHERE c.dimension IS NULL OR length(r.embedding) != c.dimension * 4",
    ),
    orphans: count("SELECT count(*) FROM records WHERE collection_id NOT IN (SELECT id FROM collections)"),
    maxRecordSeq: count("SELECT coalesce(max(seq), 0) FROM records"),
    seq: currentSeq(db),
    total: count("SELECT count(*) FROM records"),
  };
}

/** Every label of a collection, ascending. */
export function labelsOfCollection(db: Db, collectionId: string): number[] {
  return stmt(db, "SELECT label FROM records WHERE collection_id = ? ORDER BY label")
    .pluck()
    .all(collectionId) as number[];
}
