/**
 * Reclaiming space: deleted and overwritten data must not grow a database without bound.
 *
 * SQLite reuses the pages that deletes and overwrites free, so the file stops growing at its high-water mark
 * on its own; `VACUUM` gives that space back to the file system. Index snapshots grow with HNSW tombstones
 * (a deleted element keeps its slot); snapshots rebuild a tombstone-heavy graph automatically
 * (`compaction.ts`), and a vacuum rebuilds every collection's graph from SQLite. Tombstone rows are pruned up
 * to the fresh snapshot, the full-text index is merged, and the WAL is checkpointed and truncated.
 */
import { lstatSync, readdirSync } from "node:fs";
import { join } from "node:path";
import {
  type Db,
  checkpoint,
  countTombstones,
  currentSeq,
  optimizeFts,
  pruneTombstones,
  vacuumFile,
  vectorsSince,
} from "../storage";
import type { CollectionInfo } from "./index-manager";
import { indexParamsOf } from "../index/index";
import type { EngineIndex, IndexFactory } from "./index-factory";
import { writeSnapshot } from "./snapshots";
import type { Transactor } from "./transactor";

/** What a vacuum did. Sizes are of the whole database folder (database, WAL and index snapshots). */
export interface VacuumResult {
  /** Bytes on disk before and after. */
  bytesBefore: number;
  bytesAfter: number;
  /** Collections whose index was rebuilt from SQLite and snapshotted afresh. */
  indexesRebuilt: number;
  /** Collections skipped because another process was writing their snapshot at that moment. */
  indexesSkipped: number;
  /** Tombstone rows (deletes kept for other processes' indexes) before and after. */
  tombstonesBefore: number;
  tombstonesAfter: number;
}

/** What the vacuum needs from the engine. */
export interface VacuumContext {
  db: Db;
  tx: Transactor;
  /** Database folder, or null in memory. */
  root: string | null;
  factory: IndexFactory;
  /** Every collection with vectors. */
  collections: () => CollectionInfo[];
  /** Forgets the engine's in-memory index of a collection (it reloads from the fresh snapshot). */
  dropIndex: (collectionId: string) => void;
}

/** Bytes used by a file or folder (0 when missing). */
export function diskUsage(path: string): number {
  try {
    const stat = lstatSync(path);
    if (!stat.isDirectory()) return stat.size;
    return readdirSync(path).reduce((sum, name) => sum + diskUsage(join(path, name)), 0);
  } catch {
    return 0;
  }
}

/** A fresh index holding exactly the collection's live vectors, and the sequence number it reflects. */
function buildIndex(
  db: Db,
  factory: IndexFactory,
  collection: CollectionInfo,
): { index: EngineIndex; watermark: number } {
  const index = factory.create(indexParamsOf(collection.config.hnsw, collection.dimension!));
  const watermark = currentSeq(db);
  let labels: number[] = [];
  let vectors: Float32Array[] = [];
  for (const row of vectorsSince(db, collection.id, 0)) {
    labels.push(row.label);
    vectors.push(row.vector);
    if (labels.length >= 1000) {
      index.upsert(labels, vectors);
      labels = [];
      vectors = [];
    }
  }
  if (labels.length > 0) index.upsert(labels, vectors);
  index.flush();
  return { index, watermark };
}

/** Rebuilds and snapshots one collection's index; false when another process holds its snapshot lease. */
function compactCollection(ctx: VacuumContext, collection: CollectionInfo): boolean {
  if (!ctx.root) {
    // In memory nobody else reads tombstones; the engine's own index reloads from SQLite.
    ctx.tx.write(() => pruneTombstones(ctx.db, collection.id, currentSeq(ctx.db)));
    ctx.dropIndex(collection.id);
    return true;
  }
  const { index, watermark } = ctx.tx.read(() => buildIndex(ctx.db, ctx.factory, collection));
  const root = ctx.root;
  const outcome = ctx.tx.guard(() =>
    writeSnapshot(
      ctx.db,
      ctx.tx,
      root,
      collection.id,
      watermark,
      (target) => index.save(target, { watermark }),
      "this",
    ),
  );
  ctx.dropIndex(collection.id);
  return outcome !== "busy";
}

/**
 * Compacts every collection's index, prunes tombstones, merges the full-text index, rewrites the database
 * file without free pages (`VACUUM`) and truncates the WAL. Other processes may keep the database open: they
 * read on meanwhile; their writes wait for the lock (the busy timeout) while `VACUUM` rewrites the file.
 */
export function vacuumDatabase(ctx: VacuumContext): VacuumResult {
  const usage = () => (ctx.root ? diskUsage(ctx.root) : 0);
  const bytesBefore = usage();
  const tombstonesBefore = ctx.tx.read(() => countTombstones(ctx.db));
  let indexesRebuilt = 0;
  let indexesSkipped = 0;
  for (const collection of ctx.collections()) {
    if (compactCollection(ctx, collection)) indexesRebuilt++;
    else indexesSkipped++;
  }
  ctx.tx.write(() => optimizeFts(ctx.db));
  ctx.tx.run(() => vacuumFile(ctx.db));
  if (ctx.root) ctx.tx.run(() => checkpoint(ctx.db, "TRUNCATE"));
  return {
    bytesBefore,
    bytesAfter: usage(),
    indexesRebuilt,
    indexesSkipped,
    tombstonesBefore,
    tombstonesAfter: ctx.tx.read(() => countTombstones(ctx.db)),
  };
}
