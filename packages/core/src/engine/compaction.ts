/**
 * When an index should be rebuilt instead of snapshotted as it is. HNSW keeps a deleted element in its graph
 * (a tombstone: it occupies memory and a slot in the snapshot file) and labels are never reused, so a
 * collection whose records are deleted and re-added grows without bound unless the graph is rebuilt from the
 * live vectors in SQLite now and then.
 */
import type { EngineIndex } from "./index-factory";

/** Rebuild when tombstones exceed this fraction of the graph's elements… */
export const COMPACT_DELETED_FRACTION = 0.25;
/** …and there are at least this many (rebuilding a tiny graph buys nothing). */
export const COMPACT_MIN_DELETED = 100;

/** Live and tombstoned elements of an index's graph. */
export interface TombstoneStats {
  live: number;
  deleted: number;
}

/**
 * Tombstone counts of an index, when it can tell: the tiered index exposes its HNSW tier as `main`, whose
 * `stats()` counts them. Read structurally so the engine's index seam stays minimal; an index without such
 * counters (the exact one, or a test double) is never compacted.
 */
export function tombstoneStats(index: EngineIndex): TombstoneStats | undefined {
  const main = (index as { main?: { stats?: () => Partial<TombstoneStats> } }).main;
  const stats = typeof main?.stats === "function" ? main.stats() : undefined;
  if (typeof stats?.live !== "number" || typeof stats.deleted !== "number") return undefined;
  return { live: stats.live, deleted: stats.deleted };
}

/** Whether the index carries enough tombstones that rebuilding it from SQLite is worth it. */
export function needsCompaction(index: EngineIndex): boolean {
  const stats = tombstoneStats(index);
  if (!stats) return false;
  return (
    stats.deleted >= COMPACT_MIN_DELETED &&
    stats.deleted > COMPACT_DELETED_FRACTION * (stats.live + stats.deleted)
  );
}
