/**
 * Keeps each collection's in-memory vector index in step with SQLite.
 *
 * Every change to a record's vector bumps its `seq`; deletes leave tombstones. An index knows the `watermark`
 * up to which it has applied changes, so before every read it applies the rows with a higher `seq` — its own
 * process's writes and other processes' alike. Snapshots on disk carry their watermark, so opening a
 * collection loads the newest snapshot and replays only what came after it. A missing, damaged or stale
 * snapshot is rebuilt from SQLite, never fatal.
 */
import type { CollectionConfig } from "../config";
import { currentSeq, type Db, deletedSince, tombstoneHorizon, vectorsSince } from "../storage";
import type { Logger } from "../types";
import { indexParamsOf } from "../index/index";
import type { EngineIndex, IndexFactory } from "./index-factory";
import { needsCompaction } from "./compaction";
import { collectionIndexDir, snapshotCandidates, writeSnapshot } from "./snapshots";
import type { Transactions } from "./transactor";
import type { VectorChanges } from "./types";

/** What the manager needs to know about a collection. */
export interface CollectionInfo {
  id: string;
  name: string;
  dimension: number | null;
  config: CollectionConfig;
}

interface IndexState {
  index: EngineIndex;
  dimension: number;
  /** Every change with seq ≤ watermark is applied. */
  watermark: number;
  /** Changes applied since the last snapshot. */
  pending: number;
  efSearch: number;
}

const REPLAY_BATCH = 1000;

/** Owns the vector indexes of one open database. */
export class IndexManager {
  private readonly states = new Map<string, IndexState>();

  constructor(
    private readonly db: Db,
    /** Runs the manager's own transactions (a rebuild's read snapshot, snapshot registration). */
    private readonly tx: Transactions,
    /** Database folder, or null for an in-memory database (no snapshots). */
    private readonly root: string | null,
    private readonly factory: IndexFactory,
    private readonly logger: Logger,
  ) {}

  /**
   * The collection's index, caught up with every committed write. Call inside a read transaction so that the
   * index and the rows read next come from the same snapshot. Returns null while the collection has no vectors.
   */
  current(collection: CollectionInfo): EngineIndex | null {
    if (collection.dimension === null) return null;
    const seq = currentSeq(this.db);
    let state = this.states.get(collection.id);
    if (
      !state ||
      state.dimension !== collection.dimension ||
      state.watermark < tombstoneHorizon(this.db, collection.id)
    ) {
      state = this.open(collection, seq);
      this.states.set(collection.id, state);
    } else if (state.watermark < seq) {
      this.catchUp(state, collection.id, seq);
    }
    if (state.efSearch !== collection.config.hnsw.ef_search) {
      state.index.setEf(collection.config.hnsw.ef_search);
      state.efSearch = collection.config.hnsw.ef_search;
    }
    return state.index;
  }

  /**
   * Applies this process's just-committed write. When no other write came in between, the changes are applied
   * directly; otherwise the index catches up from SQLite on its next read.
   */
  applyCommitted(collection: CollectionInfo, changes: VectorChanges): void {
    const state = this.states.get(collection.id);
    if (!state || changes.seq === 0) return;
    if (state.watermark !== changes.seq - 1) return;
    if (changes.upserts.length > 0) {
      state.index.upsert(
        changes.upserts.map((u) => u.label),
        changes.upserts.map((u) => u.vector),
      );
    }
    if (changes.removals.length > 0) state.index.remove(changes.removals);
    state.watermark = changes.seq;
    state.pending += changes.upserts.length + changes.removals.length;
    this.maybeSnapshot(collection, state);
  }

  /** Forgets a collection's index (deleted, or its dimension changed). */
  drop(collectionId: string): void {
    this.states.delete(collectionId);
  }

  /** Writes snapshots that are due, then forgets every index. */
  close(collections: (id: string) => CollectionInfo | undefined): void {
    for (const [id, state] of this.states) {
      const info = collections(id);
      if (info) this.maybeSnapshot(info, state);
    }
    this.states.clear();
  }

  private open(collection: CollectionInfo, seq: number): IndexState {
    const dimension = collection.dimension!;
    const params = indexParamsOf(collection.config.hnsw, dimension);
    const horizon = tombstoneHorizon(this.db, collection.id);
    let state: IndexState | undefined;
    if (this.root) {
      const candidates = snapshotCandidates(this.db, this.root, collection.id);
      for (const dir of candidates.dirs) {
        const loaded = this.factory.load(dir, params);
        if (!loaded) continue;
        if (loaded.watermark > seq || loaded.watermark < horizon) continue; // from a restored DB, or too old
        state = {
          index: loaded.index,
          dimension,
          watermark: loaded.watermark,
          pending: 0,
          efSearch: params.efSearch,
        };
        break;
      }
      if (!state && candidates.expected) {
        this.logger.warn(
          `index of collection '${collection.name}' could not be loaded; rebuilding it from the database`,
          {
            collection: collection.id,
            dir: collectionIndexDir(this.root, collection.id),
          },
        );
      }
    }
    state ??= {
      index: this.factory.create(params),
      dimension,
      watermark: 0,
      pending: 0,
      efSearch: params.efSearch,
    };
    this.catchUp(state, collection.id, seq);
    return state;
  }

  private catchUp(state: IndexState, collectionId: string, seq: number): void {
    let labels: number[] = [];
    let vectors: Float32Array[] = [];
    const flush = () => {
      if (labels.length === 0) return;
      state.index.upsert(labels, vectors);
      state.pending += labels.length;
      labels = [];
      vectors = [];
    };
    for (const { label, vector } of vectorsSince(this.db, collectionId, state.watermark)) {
      labels.push(label);
      vectors.push(vector);
      if (labels.length >= REPLAY_BATCH) flush();
    }
    flush();
    const removed = state.watermark === 0 ? [] : deletedSince(this.db, collectionId, state.watermark);
    if (removed.length > 0) {
      state.index.remove(removed);
      state.pending += removed.length;
    }
    state.watermark = seq;
  }

  /** Replaces a tombstone-heavy index with one built from the live vectors in SQLite (one read snapshot). */
  private rebuild(collection: CollectionInfo, state: IndexState): void {
    const params = indexParamsOf(collection.config.hnsw, state.dimension);
    this.tx.read(() => {
      state.index = this.factory.create(params);
      state.efSearch = params.efSearch;
      state.watermark = 0;
      this.catchUp(state, collection.id, currentSeq(this.db));
    });
  }

  /**
   * Snapshots the index when enough changed since the last one: at least `sync_threshold` changes and 2% of
   * the index, so adding a small batch to a large collection never rewrites the whole file. A graph carrying
   * many deleted elements is rebuilt first (also in memory, where nothing is snapshotted).
   */
  private maybeSnapshot(collection: CollectionInfo, state: IndexState): void {
    const threshold = Math.max(collection.config.hnsw.sync_threshold, Math.ceil(state.index.size() * 0.02));
    if (state.pending < threshold) return;
    try {
      if (needsCompaction(state.index)) this.rebuild(collection, state);
      if (!this.root) {
        state.pending = 0;
        return;
      }
      state.index.flush();
      const save = (target: string) => state.index.save(target, { watermark: state.watermark });
      writeSnapshot(this.db, this.tx, this.root, collection.id, state.watermark, save);
      state.pending = 0;
    } catch (error) {
      // A failed snapshot costs replay time on the next open, never data: SQLite holds every write.
      this.logger.warn(`could not write the index snapshot of collection '${collection.name}'`, {
        error: String(error),
      });
    }
  }
}
