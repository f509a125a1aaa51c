/**
 * Checking a database folder, and repairing what is derived from the records.
 *
 * `records` is the source of truth. Derived from it: `record_metadata` (the flattened metadata filters read),
 * `records_fts` (the full-text index of documents) and the HNSW index snapshots under `index/`. The check
 * runs SQLite's `integrity_check`, verifies that the records are sound (each vector of its collection's
 * dimension, the sequence number not behind any record), compares each derived structure with the records,
 * and loads each registered index snapshot, catches it up and compares it with the records. Every problem
 * names the command that fixes it; `repair` rebuilds the derived structures from the records and never
 * deletes or changes a record.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { StorageError } from "../errors";
import { DATABASE_FILE } from "../engine/engine";
import { type IndexFactory, tieredIndexFactory } from "../engine/index-factory";
import type { CollectionInfo } from "../engine/index-manager";
import { requireCollection } from "../engine/namespaces";
import { openDatabaseFolder } from "../engine/open";
import { collectionIndexDir, writeSnapshot } from "../engine/snapshots";
import { Transactor } from "../engine/transactor";
import { indexParamsOf } from "../index/index";
import {
  allCollectionIds,
  compareFts,
  compareMetadataRows,
  countRecords,
  currentSeq,
  type Db,
  type DerivedMismatch,
  deletedSince,
  forgetSnapshot,
  integrityCheck,
  labelsOfCollection,
  rebuildFts,
  rebuildMetadataRows,
  recordFacts,
  registeredSnapshots,
  tombstoneHorizon,
  vectorsOf,
  vectorsSince,
} from "../storage";
import { busyTimeoutOption, flagOption, pathOption, readOptions, requireDatabaseFolder } from "./options";

/**
 * Options of {@link check}.
 * @example await check({ path: "./cairn_db", repair: true })
 */
export interface CheckOptions {
  /** The database folder. */
  path: string;
  /** Rebuild the derived structures that disagree with the records (default false: only report). */
  repair?: boolean;
  /** How long to wait for other processes' write locks (default 30 000 ms). */
  busyTimeoutMs?: number;
}

/**
 * What a problem is about: `sqlite` the database file's structure, `records` the records themselves (user
 * data: restore from a backup), `metadata` the metadata rows filters use, `fts` the full-text index, `index`
 * a vector index snapshot. The last three are derived and rebuilt by `check --repair`.
 */
export type CheckProblemKind = "sqlite" | "records" | "metadata" | "fts" | "index";

/** One thing that is wrong. */
export interface CheckProblem {
  kind: CheckProblemKind;
  /** The collection concerned (`tenant/database/name`), when it is about one. */
  collection?: string;
  /** What is wrong, in a sentence. */
  message: string;
  /** Whether `check --repair` fixes it (derived structures) or it needs a restore (damaged file or records). */
  repairable: boolean;
  /** The command that fixes it. */
  fix: string;
}

/** What a repair rebuilt. */
export interface CheckRepair {
  kind: "metadata" | "fts" | "index";
  collection?: string;
  /** What was rebuilt, in a sentence. */
  message: string;
}

/** The report of {@link check}. */
export interface CheckResult {
  /** The database folder (absolute). */
  path: string;
  /** True when no problem remains (after the repair, with `repair`). */
  healthy: boolean;
  /** The database's write sequence number (0 when the file could not be read). */
  sequence: number;
  /** Collections and records checked. */
  collections: number;
  records: number;
  /** Problems found (after the repair, with `repair`: those that remain). */
  problems: CheckProblem[];
  /** What `repair` rebuilt (empty without it). */
  repaired: CheckRepair[];
}

const REPAIR = (path: string) => `cairn check --path ${JSON.stringify(path)} --repair`;
const RESTORE = "restore the database from a backup (cairn restore --from <backup> --path <new folder>)";
/** Records per collection whose index entry is verified vector by vector. */
const INDEX_SAMPLE = 64;

interface Context {
  db: Db;
  tx: Transactor;
  path: string;
  factory: IndexFactory;
}

const describeCollection = (c: CollectionInfo & { tenant: string; database: string }) =>
  `${c.tenant}/${c.database}/${c.name}`;

function mismatchText(what: string, m: DerivedMismatch): string {
  const sample = m.records
    .slice(0, 5)
    .map((r) => JSON.stringify(r.id))
    .join(", ");
  const parts: string[] = [];
  if (m.recordCount > 0) parts.push(`${m.recordCount} record(s) with missing or wrong ${what} (${sample})`);
  if (m.orphanCount > 0) parts.push(`${m.orphanCount} ${what} row(s) of records that do not exist`);
  return parts.join("; ");
}

/** SQLite structure and the records themselves. */
function checkFile(ctx: Context): CheckProblem[] {
  const problems = integrityCheck(ctx.db, 10);
  if (problems.length > 0) {
    return [
      {
        kind: "sqlite",
        message: `SQLite reports damage in ${DATABASE_FILE}: ${problems.join("; ")}`,
        repairable: false,
        fix: `${RESTORE}; or run \`sqlite3 cairn.sqlite3 .recover | sqlite3 recovered.sqlite3\``,
      },
    ];
  }
  const out: CheckProblem[] = [];
  const facts = ctx.tx.read(() => recordFacts(ctx.db));
  if (facts.badVectors > 0)
    out.push({
      kind: "records",
      message: `${facts.badVectors} record(s) hold a vector whose length differs from their collection's dimension`,
      repairable: false,
      fix: RESTORE,
    });
  if (facts.orphans > 0)
    out.push({
      kind: "records",
      message: `${facts.orphans} record(s) belong to no collection`,
      repairable: false,
      fix: RESTORE,
    });
  if (facts.maxRecordSeq > facts.seq)
    out.push({
      kind: "records",
      message: `the write sequence number (${facts.seq}) is behind a record's (${facts.maxRecordSeq})`,
      repairable: false,
      fix: RESTORE,
    });
  return out;
}

/** Metadata rows and full-text index against the records. */
function checkDerivedTables(ctx: Context): CheckProblem[] {
  const { metadata, fts } = ctx.tx.read(() => ({
    metadata: compareMetadataRows(ctx.db),
    fts: compareFts(ctx.db),
  }));
  const out: CheckProblem[] = [];
  if (metadata.recordCount + metadata.orphanCount > 0)
    out.push({
      kind: "metadata",
      message: `metadata rows disagree with the records: ${mismatchText("metadata rows", metadata)}; \`where\` filters miss or wrongly match them`,
      repairable: true,
      fix: REPAIR(ctx.path),
    });
  if (fts.recordCount + fts.orphanCount > 0)
    out.push({
      kind: "fts",
      message: `the full-text index disagrees with the documents: ${mismatchText("full-text entries", fts)}; \`whereDocument\` filters miss or wrongly match them`,
      repairable: true,
      fix: REPAIR(ctx.path),
    });
  return out;
}

/** The distance a correct index reports between a stored vector and itself. */
function selfDistance(space: string, vector: Float32Array): number {
  if (space !== "ip") return 0;
  let dot = 0;
  for (const x of vector) dot += x * x;
  return 1 - dot;
}

/** Why a loaded-and-caught-up index disagrees with the records, or null when it agrees. */
function compareIndex(
  ctx: Context,
  collection: CollectionInfo,
  loaded: { index: ReturnType<IndexFactory["create"]>; watermark: number },
): string | null {
  return ctx.tx.read(() => {
    const seq = currentSeq(ctx.db);
    if (loaded.watermark > seq) return `its watermark ${loaded.watermark} is ahead of the database (${seq})`;
    if (loaded.watermark < tombstoneHorizon(ctx.db, collection.id))
      return "it is older than the deletes the database still remembers (it would be rebuilt on every open)";
    const { index } = loaded;
    const labels: number[] = [];
    const vectors: Float32Array[] = [];
    for (const row of vectorsSince(ctx.db, collection.id, loaded.watermark)) {
      labels.push(row.label);
      vectors.push(row.vector);
    }
    if (labels.length > 0) index.upsert(labels, vectors);
    const removed = deletedSince(ctx.db, collection.id, loaded.watermark);
    if (removed.length > 0) index.remove(removed);
    const count = countRecords(ctx.db, collection.id);
    if (index.size() !== count)
      return `after catching up it holds ${index.size()} vectors for ${count} records`;
    const step = Math.max(1, Math.floor(count / INDEX_SAMPLE));
    const sample = labelsOfCollection(ctx.db, collection.id);
    const picked = sample.filter((_, i) => i % step === 0).slice(0, INDEX_SAMPLE);
    for (const { label, vector } of vectorsOf(ctx.db, picked)) {
      const hit = index.search(vector, 1, { allowed: [label] });
      const expected = selfDistance(collection.config.hnsw.space, vector);
      if (hit.labels[0] !== label || Math.abs((hit.distances[0] ?? Number.NaN) - expected) > 1e-3)
        return `the vector it holds for record label ${label} differs from the record's`;
    }
    return null;
  });
}

/** Each registered index snapshot of a collection loads, is current enough, and agrees with the records. */
function checkCollectionIndex(
  ctx: Context,
  collection: CollectionInfo & { tenant: string; database: string },
): CheckProblem[] {
  if (collection.dimension === null) return [];
  const registered = ctx.tx.read(() => registeredSnapshots(ctx.db, collection.id));
  const params = indexParamsOf(collection.config.hnsw, collection.dimension);
  const out: CheckProblem[] = [];
  for (const [i, snap] of registered.entries()) {
    const dir = join(collectionIndexDir(ctx.path, collection.id), snap.name);
    const loaded = existsSync(dir) ? ctx.factory.load(dir, params) : null;
    // The newest is the one every open loads: compare it with the records. An older one need only load.
    const why = !existsSync(dir)
      ? "the folder is missing"
      : !loaded
        ? "it is damaged (size, checksum or header check failed)"
        : i === 0
          ? compareIndex(ctx, collection, loaded)
          : null;
    if (!why) continue;
    out.push({
      kind: "index",
      collection: describeCollection(collection),
      message: `index snapshot ${snap.name}: ${why}; until it is repaired, every open rebuilds the index from the records`,
      repairable: true,
      fix: REPAIR(ctx.path),
    });
  }
  return out;
}

function collectionsOf(ctx: Context): (CollectionInfo & { tenant: string; database: string })[] {
  return ctx.tx.read(() => allCollectionIds(ctx.db).map((id) => requireCollection(ctx.db, id)));
}

function inspect(ctx: Context): {
  problems: CheckProblem[];
  sequence: number;
  records: number;
  collections: number;
} {
  const problems = checkFile(ctx);
  const collections = collectionsOf(ctx);
  if (!problems.some((p) => p.kind === "sqlite")) {
    problems.push(...checkDerivedTables(ctx));
    for (const collection of collections) problems.push(...checkCollectionIndex(ctx, collection));
  }
  const facts = ctx.tx.read(() => recordFacts(ctx.db));
  return { problems, sequence: facts.seq, records: facts.total, collections: collections.length };
}

/** Rebuilds a collection's index from its records and publishes it as a fresh snapshot. */
function rebuildIndex(ctx: Context, collection: CollectionInfo): boolean {
  const params = indexParamsOf(collection.config.hnsw, collection.dimension!);
  const { index, watermark, stale } = ctx.tx.read(() => {
    const fresh = ctx.factory.create(params);
    let labels: number[] = [];
    let vectors: Float32Array[] = [];
    for (const row of vectorsSince(ctx.db, collection.id, 0)) {
      labels.push(row.label);
      vectors.push(row.vector);
      if (labels.length >= 1000) {
        fresh.upsert(labels, vectors);
        labels = [];
        vectors = [];
      }
    }
    if (labels.length > 0) fresh.upsert(labels, vectors);
    fresh.flush();
    return {
      index: fresh,
      watermark: currentSeq(ctx.db),
      stale: registeredSnapshots(ctx.db, collection.id).map((s) => s.name),
    };
  });
  // The damaged or stale snapshots must not be loaded again: forget them before the fresh one is registered.
  ctx.tx.write(() => {
    for (const name of stale) forgetSnapshot(ctx.db, collection.id, name);
  });
  const outcome = writeSnapshot(
    ctx.db,
    ctx.tx,
    ctx.path,
    collection.id,
    watermark,
    (target) => index.save(target, { watermark }),
    "this",
  );
  return outcome !== "busy";
}

/** Rebuilds what the problems name; returns what was rebuilt. */
function repairProblems(ctx: Context, problems: readonly CheckProblem[]): CheckRepair[] {
  const repaired: CheckRepair[] = [];
  if (problems.some((p) => p.kind === "sqlite" || p.kind === "records")) return repaired;
  if (problems.some((p) => p.kind === "metadata")) {
    const rows = ctx.tx.write(() => rebuildMetadataRows(ctx.db));
    repaired.push({ kind: "metadata", message: `rebuilt ${rows} metadata row(s) from the records` });
  }
  if (problems.some((p) => p.kind === "fts")) {
    const docs = ctx.tx.write(() => rebuildFts(ctx.db));
    repaired.push({ kind: "fts", message: `rebuilt the full-text index of ${docs} document(s)` });
  }
  const indexes = new Set(problems.filter((p) => p.kind === "index").map((p) => p.collection));
  for (const collection of collectionsOf(ctx)) {
    const name = describeCollection(collection);
    if (!indexes.has(name) || collection.dimension === null) continue;
    if (ctx.tx.guard(() => rebuildIndex(ctx, collection)))
      repaired.push({
        kind: "index",
        collection: name,
        message: "rebuilt the vector index snapshot from the records",
      });
  }
  return repaired;
}

/** A report for a database file that cannot even be opened. */
function unreadable(path: string, error: StorageError): CheckResult {
  return {
    path,
    healthy: false,
    sequence: 0,
    collections: 0,
    records: 0,
    problems: [
      {
        kind: "sqlite",
        message: `the database cannot be opened: ${error.message}`,
        repairable: false,
        fix: RESTORE,
      },
    ],
    repaired: [],
  };
}

/**
 * Checks a database folder: SQLite's structural `integrity_check`; the records (vectors of the right
 * dimension, sequence numbers); metadata rows and the full-text index against the records; each registered
 * vector index snapshot (loads, is not stale, and after catching up holds exactly the records' vectors).
 * Safe while other processes use the database (it reads one consistent snapshot per step).
 *
 * With `repair`, the derived structures that disagree are rebuilt from the records — metadata rows, the
 * full-text index, index snapshots — and the database is checked again; no record is ever deleted or changed.
 * A damaged file or damaged records are not repairable: the report says to restore a backup.
 * @returns the report: `healthy`, and each problem with the command that fixes it.
 * @throws InvalidArgumentError when `path` holds no Cairn database.
 * @example
 * const report = await check({ path: "./cairn_db" });
 * if (!report.healthy) for (const p of report.problems) console.log(p.message, "→", p.fix);
 */
export async function check(options: CheckOptions): Promise<CheckResult> {
  const opts = readOptions(options, "check", ["path", "repair", "busyTimeoutMs"]);
  const path = pathOption(opts.path, "path", "the database folder to check");
  const repair = flagOption(opts.repair, "repair");
  const busyTimeoutMs = busyTimeoutOption(opts.busyTimeoutMs);
  requireDatabaseFolder(path);
  const file = join(path, DATABASE_FILE);
  let db: Db;
  try {
    db = openDatabaseFolder(path, file, { busyTimeoutMs, durability: "normal" });
  } catch (error) {
    if (error instanceof StorageError && error.code === "STORAGE_CORRUPT") return unreadable(path, error);
    throw error;
  }
  let closed = false;
  const ctx: Context = { db, tx: new Transactor(db, file, () => closed), path, factory: tieredIndexFactory };
  try {
    let found = ctx.tx.guard(() => inspect(ctx));
    let repaired: CheckRepair[] = [];
    if (repair && found.problems.some((p) => p.repairable)) {
      repaired = repairProblems(ctx, found.problems);
      if (repaired.length > 0) found = ctx.tx.guard(() => inspect(ctx));
    }
    return {
      path,
      healthy: found.problems.length === 0,
      sequence: found.sequence,
      collections: found.collections,
      records: found.records,
      problems: found.problems,
      repaired,
    };
  } catch (error) {
    if (error instanceof StorageError && error.code === "STORAGE_CORRUPT") return unreadable(path, error);
    throw error;
  } finally {
    closed = true;
    db.close();
  }
}
