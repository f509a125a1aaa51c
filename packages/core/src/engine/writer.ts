/**
 * The write path inside ONE SQLite transaction: dimension check, existence rules (add rejects or skips
 * existing ids, update rejects missing ones), metadata merge or replacement, and the vector changes for the
 * index. Every check runs before the first row is written, so a failing batch writes nothing.
 */
import { ConflictError, DimensionMismatchError, NotFoundError } from "../errors";
import {
  type Db,
  deleteRecords,
  type ExistingRecord,
  findExisting,
  insertRecord,
  nextSeq,
  updateCollectionRow,
  updateRecord,
} from "../storage";
import type { Metadata, UpdateMetadata } from "../types";
import type { VectorChanges, WriteBatch, WriteMode, WritePolicy } from "./types";

const listIds = (ids: string[]): string =>
  ids
    .slice(0, 10)
    .map((id) => JSON.stringify(id))
    .join(", ") + (ids.length > 10 ? ` and ${ids.length - 10} more` : "");

/** Merges an update into stored metadata: given keys overwrite, `null` deletes, absent keys stay. */
export function mergeMetadata(
  stored: string | null,
  update: UpdateMetadata | Metadata | null | undefined,
): Metadata | null {
  const base: Metadata = stored ? (JSON.parse(stored) as Metadata) : {};
  if (update == null) return stored ? base : null;
  const merged: Metadata = Object.assign(Object.create(null), base);
  for (const [key, value] of Object.entries(update)) {
    if (value === null) delete merged[key];
    else merged[key] = value;
  }
  return Object.keys(merged).length > 0 ? { ...merged } : null;
}

function dropNulls(metadata: UpdateMetadata | Metadata | null | undefined): Metadata | null {
  if (!metadata) return null;
  // A null-prototype object: a key named "__proto__" stays an ordinary key.
  const out: Metadata = Object.create(null);
  for (const [key, value] of Object.entries(metadata)) if (value !== null) out[key] = value;
  return Object.keys(out).length > 0 ? { ...out } : null;
}

/**
 * Checks every vector against the collection's dimension. Returns the dimension the collection has after the
 * write (the first vector's when it had none yet).
 */
function checkDimension(name: string, dimension: number | null, batch: WriteBatch): number | null {
  let expected = dimension;
  for (const [i, vector] of (batch.embeddings ?? []).entries()) {
    if (!vector) continue;
    if (expected === null) {
      expected = vector.length;
    } else if (vector.length !== expected) {
      throw new DimensionMismatchError(
        "DIMENSION_MISMATCH",
        `embeddings[${i}]: collection '${name}' expects vectors of dimension ${expected}, got ${vector.length}. ` +
          "Use the same embedding model the collection was created with, or create a new collection.",
        { details: { path: `embeddings[${i}]`, expected, got: vector.length } },
      );
    }
  }
  return expected;
}

function checkExistence(
  mode: WriteMode,
  policy: WritePolicy,
  ids: string[],
  existing: Map<string, ExistingRecord>,
  name: string,
): void {
  if (mode === "add" && policy.onDuplicate === "error") {
    const dup = ids.filter((id) => existing.has(id));
    if (dup.length > 0) {
      throw new ConflictError(
        "DUPLICATE_ID",
        `ids: ${dup.length} id(s) already exist in collection '${name}': ${listIds(dup)}. Nothing was written. Use upsert() to overwrite existing records.`,
        { details: { ids: dup.slice(0, 100) } },
      );
    }
  } else if (mode === "update") {
    const missing = ids.filter((id) => !existing.has(id));
    if (missing.length > 0) {
      throw new NotFoundError(
        "NOT_FOUND",
        `ids: ${missing.length} id(s) do not exist in collection '${name}': ${listIds(missing)}. Nothing was written. Use upsert() to create missing records.`,
        { details: { ids: missing.slice(0, 100) } },
      );
    }
  }
}

/** What {@link writeBatch} did. */
export interface WriteOutcome {
  changes: VectorChanges;
  /** The collection's dimension after the write (set by the first vector ever written). */
  dimension: number | null;
  /** Records written (ids skipped by `onDuplicate: "ignore"` are not counted). */
  written: number;
}

/**
 * Applies a validated batch; call inside an IMMEDIATE transaction. All checks (dimension, existence) run
 * before the first row is written; a thrown error leaves the transaction to roll back.
 */
export function writeBatch(
  db: Db,
  collection: { id: string; name: string; dimension: number | null },
  mode: WriteMode,
  batch: WriteBatch,
  policy: WritePolicy,
): WriteOutcome {
  const dimension = checkDimension(collection.name, collection.dimension, batch);
  const existing = findExisting(db, collection.id, batch.ids);
  checkExistence(mode, policy, batch.ids, existing, collection.name);
  // `add` with onDuplicate "ignore": existing ids keep their stored record untouched.
  const skip = mode === "add" && existing.size > 0;
  const written = skip ? batch.ids.length - existing.size : batch.ids.length;
  if (written === 0)
    return { changes: { seq: 0, upserts: [], removals: [] }, dimension: collection.dimension, written };
  if (dimension !== null && dimension !== collection.dimension)
    updateCollectionRow(db, collection.id, { dimension });
  const replace = mode === "upsert" && policy.metadata === "replace";
  const seq = nextSeq(db);
  const changes: VectorChanges = { seq, upserts: [], removals: [] };
  batch.ids.forEach((id, i) => {
    const vector = batch.embeddings?.[i];
    const document = batch.documents?.[i];
    const uri = batch.uris?.[i];
    const metadata = batch.metadatas?.[i];
    const stored = existing.get(id);
    if (stored && skip) return;
    if (!stored) {
      // Validation guarantees a vector for every new record.
      const label = insertRecord(db, collection.id, seq, {
        id,
        embedding: vector!,
        document: document ?? null,
        uri: uri ?? null,
        metadata: dropNulls(metadata),
      });
      changes.upserts.push({ label, vector: vector! });
      return;
    }
    const nextDocument = document ?? stored.document;
    updateRecord(
      db,
      collection.id,
      stored.label,
      seq,
      {
        embedding: vector ?? undefined,
        document: nextDocument,
        uri: uri ?? stored.uri,
        metadata: replace ? dropNulls(metadata) : mergeMetadata(stored.metadata, metadata),
      },
      nextDocument !== stored.document,
    );
    if (vector) changes.upserts.push({ label: stored.label, vector });
  });
  return { changes, dimension, written };
}

/** Deletes the given labels; call inside an IMMEDIATE transaction. */
export function deleteLabels(db: Db, collectionId: string, labels: number[]): VectorChanges {
  if (labels.length === 0) return { seq: 0, upserts: [], removals: [] };
  const seq = nextSeq(db);
  deleteRecords(db, collectionId, seq, labels);
  return { seq, upserts: [], removals: labels };
}
