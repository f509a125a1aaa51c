/**
 * Runs read plans (`planner.ts`) against storage and the vector index, inside the caller's read transaction:
 * resolve the allowed set in SQLite, search every query vector with the plan's strategy (executed by the index
 * module), then hydrate the winners in one statement. Storage returns decoded columns, and the results stay
 * column-wise: no per-record objects are built on the way.
 */
import { FlatIndex, searchWith } from "../index/index";
import { currentSeq, type Db, hydrateColumns, type RecordColumns, vectorsOf } from "../storage";
import type { GetColumns, QueryColumns } from "../types";
import type { EngineIndex } from "./index-factory";
import type { CollectionInfo, IndexManager } from "./index-manager";
import {
  type GetPlan,
  type GetRequest,
  planGet,
  planQuery,
  type QueryPlan,
  type QueryRequest,
} from "./planner";
import { hasFilter, matchingLabels, type Selection, selectedLabels } from "./reader";

/** What a read needs: the database and the open database's index manager. */
export interface ReadContext {
  db: Db;
  indexes: IndexManager;
}

/** Runs a get plan: the selected records in insertion order, column-wise. */
export function executeGet(db: Db, plan: GetPlan): GetColumns {
  const labels = selectedLabels(db, plan.collectionId, plan.selection, {
    limit: plan.page.limit ?? undefined,
    offset: plan.page.offset,
  });
  const { labels: _labels, ...columns } = hydrateColumns(db, labels, plan.hydration);
  return columns;
}

/** Plans and runs a get. */
export function runGet(db: Db, collection: Pick<CollectionInfo, "id">, request: GetRequest): GetColumns {
  return executeGet(db, planGet(request, collection));
}

/** The plan a query would run with, and what running it needs. Call inside a read transaction. */
function prepareQuery(
  ctx: ReadContext,
  collection: CollectionInfo,
  request: QueryRequest,
): { plan: QueryPlan; index: EngineIndex | null; allowed: AllowedLabels | undefined } {
  const index = ctx.indexes.current(collection);
  // The allowed step runs before planning: its size decides the strategy. Skipped when nothing can be found.
  const allowed =
    index && request.k > 0 && hasFilter(request.selection)
      ? allowedLabels(ctx, collection.id, request.selection)
      : undefined;
  const plan = planQuery(request, collection, {
    indexed: index?.size() ?? 0,
    allowed: allowed ? allowed.labels.length : null,
  });
  return { plan, index, allowed };
}

/** The plan of a query without running its search (for debugging and tests). Call inside a read transaction. */
export function explainQuery(ctx: ReadContext, collection: CollectionInfo, request: QueryRequest): QueryPlan {
  return prepareQuery(ctx, collection, request).plan;
}

/** Plans and runs a query: nearest neighbours of each query vector, column-wise. Call inside a read transaction. */
export function runQuery(ctx: ReadContext, collection: CollectionInfo, request: QueryRequest): QueryColumns {
  const { plan, index, allowed } = prepareQuery(ctx, collection, request);
  const results = request.vectors.map((vector) =>
    index
      ? searchWith(
          plan.strategy,
          {
            index,
            allowed: allowed && (() => (allowed.set ??= new Set(allowed.labels))),
            exact:
              allowed &&
              (() => (allowed.exact ??= exactIndexOf(ctx.db, collection, allowed.labels, vector.length))),
          },
          vector,
          plan.k,
        )
      : { labels: [], distances: [] },
  );
  return hydrateHits(ctx.db, plan, results);
}

/** One hydration for the union of every query's winners, then the columns of each query. */
function hydrateHits(
  db: Db,
  plan: QueryPlan,
  results: { labels: number[]; distances: number[] }[],
): QueryColumns {
  const { hydration } = plan;
  const columns: QueryColumns = {
    ids: [],
    distances: [],
    documents: [],
    embeddings: [],
    metadatas: [],
    uris: [],
  };
  const union = [...new Set(results.flatMap((r) => r.labels))];
  const stored: RecordColumns = hydrateColumns(db, union, hydration);
  const position = new Map<number, number>();
  for (let j = 0; j < stored.labels.length; j++) position.set(stored.labels[j]!, j);
  for (const result of results) {
    // Positions of this query's hits in the hydrated columns (a label the rows no longer hold is skipped).
    const at: number[] = [];
    const distances: number[] = [];
    for (let i = 0; i < result.labels.length; i++) {
      const j = position.get(result.labels[i]!);
      if (j === undefined) continue;
      at.push(j);
      distances.push(result.distances[i]!);
    }
    columns.ids.push(at.map((j) => stored.ids[j]!));
    if (hydration.distances) columns.distances.push(distances);
    if (hydration.documents) columns.documents.push(at.map((j) => stored.documents[j]!));
    if (hydration.embeddings) columns.embeddings.push(at.map((j) => stored.embeddings[j]!));
    if (hydration.metadatas) columns.metadatas.push(at.map((j) => stored.metadatas[j]!));
    if (hydration.uris) columns.uris.push(at.map((j) => stored.uris[j]!));
  }
  return columns;
}

// ---- the allowed step --------------------------------------------------------------------------------------

/** The labels a query's filters allow, with lazily built helpers for the strategies that search them. */
interface AllowedLabels {
  labels: number[];
  /** For the graph strategies (membership tests). */
  set?: ReadonlySet<number>;
  /** The allowed vectors, for an exact scan. */
  exact?: FlatIndex;
}

/**
 * Filters resolved by recent queries, valid until the next write: every write takes a new global sequence
 * number, so an entry is only used at the sequence it was resolved at. Repeated filters (per user, per tenant,
 * per category…) then skip SQLite; the answer is the same as resolving again.
 */
class FilterCache {
  private seq = -1;
  private readonly entries = new Map<string, AllowedLabels>();
  private labelCount = 0;

  get(seq: number, key: string): AllowedLabels | undefined {
    if (seq !== this.seq) {
      this.entries.clear();
      this.labelCount = 0;
      this.seq = seq;
    }
    const entry = this.entries.get(key);
    if (entry) {
      // Most recently used last: eviction takes the first.
      this.entries.delete(key);
      this.entries.set(key, entry);
    }
    return entry;
  }

  set(key: string, entry: AllowedLabels): void {
    if (entry.labels.length > FILTER_CACHE_MAX_LABELS) return;
    this.entries.set(key, entry);
    this.labelCount += entry.labels.length;
    for (const [oldest, old] of this.entries) {
      if (this.entries.size <= FILTER_CACHE_MAX_ENTRIES && this.labelCount <= FILTER_CACHE_MAX_LABELS) break;
      this.entries.delete(oldest);
      this.labelCount -= old.labels.length;
    }
  }
}

const FILTER_CACHE_MAX_ENTRIES = 8;
/** Labels held by all entries together (8 bytes each, plus a Set or the exact vectors of a small set). */
const FILTER_CACHE_MAX_LABELS = 250_000;
// One cache per open database, owned by (and collected with) its index manager.
const filterCaches = new WeakMap<IndexManager, FilterCache>();

function allowedLabels(ctx: ReadContext, collectionId: string, selection: Selection): AllowedLabels {
  let cache = filterCaches.get(ctx.indexes);
  if (!cache) {
    cache = new FilterCache();
    filterCaches.set(ctx.indexes, cache);
  }
  const key = `${collectionId}\u0000${JSON.stringify(selection)}`;
  const seq = currentSeq(ctx.db);
  const cached = cache.get(seq, key);
  if (cached) return cached;
  const entry: AllowedLabels = { labels: matchingLabels(ctx.db, collectionId, selection) };
  cache.set(key, entry);
  return entry;
}

/** An exact index over the given records' stored vectors (one statement). */
function exactIndexOf(db: Db, collection: CollectionInfo, labels: number[], dimension: number): FlatIndex {
  const flat = new FlatIndex({
    space: collection.config.hnsw.space,
    dimension,
    initialCapacity: labels.length,
  });
  const rows = vectorsOf(db, labels);
  flat.upsert(
    rows.map((r) => r.label),
    rows.map((r) => r.vector),
  );
  return flat;
}
