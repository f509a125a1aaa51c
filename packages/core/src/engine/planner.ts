/**
 * The read planner: a get or query request plus what the engine knows about the collection becomes a plan —
 * plain, serialisable data that says what runs, in order: selection → allowed set → search strategy →
 * hydration. Pure (no I/O); `executor.ts` runs plans. The search strategy itself is chosen by the index module's
 * `chooseStrategy`, never here.
 */
import { DimensionMismatchError } from "../errors";
import { chooseStrategy, type SearchStrategy } from "../index/index";
import type { IncludeField } from "../types";
import type { CollectionInfo } from "./index-manager";
import { hasFilter, type Selection } from "./reader";

/** The stored fields a plan reads for its results (ids always), and whether distances are returned. */
export interface Hydration {
  documents: boolean;
  metadatas: boolean;
  embeddings: boolean;
  uris: boolean;
  distances: boolean;
}

/** How the records a query may return are found: all of them, or the labels matching the filters in SQLite. */
export type AllowedStep =
  | { kind: "all" }
  | { kind: "labels"; filters: ("ids" | "where" | "whereDocument")[]; matched: number };

/** A get: the selected records in insertion order, paged, hydrated. */
export interface GetPlan {
  kind: "get";
  collectionId: string;
  selection: Selection;
  /** `limit` null = no limit. */
  page: { limit: number | null; offset: number };
  hydration: Hydration;
}

/** A query: the allowed set, then one search per query vector with one strategy, then one hydration. */
export interface QueryPlan {
  kind: "query";
  collectionId: string;
  selection: Selection;
  allowed: AllowedStep;
  strategy: SearchStrategy;
  /** Results per query vector. */
  k: number;
  /** Number of query vectors. */
  queries: number;
  hydration: Hydration;
}

/** A get as the engine receives it. */
export interface GetRequest {
  selection: Selection;
  page: { limit?: number | undefined; offset?: number | undefined };
  include: readonly IncludeField[];
}

/** A query as the engine receives it (vectors validated and embedded already). */
export interface QueryRequest {
  vectors: readonly Float32Array[];
  k: number;
  selection: Selection;
  include: readonly IncludeField[];
}

/** What the planner needs to know about the collection's current state. */
export interface QueryStats {
  /** Live vectors in the collection's index (0 while it has none). */
  indexed: number;
  /** Size of the allowed set once resolved (the allowed step runs first), or null when unfiltered. */
  allowed: number | null;
}

/** The fields to hydrate for an `include` list. */
export function hydrationOf(include: readonly IncludeField[]): Hydration {
  return {
    documents: include.includes("documents"),
    metadatas: include.includes("metadatas"),
    embeddings: include.includes("embeddings"),
    uris: include.includes("uris"),
    distances: include.includes("distances"),
  };
}

/** The plan of a get. */
export function planGet(request: GetRequest, collection: Pick<CollectionInfo, "id">): GetPlan {
  return {
    kind: "get",
    collectionId: collection.id,
    selection: request.selection,
    page: { limit: request.page.limit ?? null, offset: request.page.offset ?? 0 },
    // A get never returns distances.
    hydration: { ...hydrationOf(request.include), distances: false },
  };
}

/** Which filters of a selection the allowed step resolves (none: every record is allowed). */
export function filtersOf(selection: Selection): ("ids" | "where" | "whereDocument")[] {
  const filters: ("ids" | "where" | "whereDocument")[] = [];
  if (selection.ids !== undefined) filters.push("ids");
  if (selection.where !== undefined) filters.push("where");
  if (selection.whereDocument !== undefined) filters.push("whereDocument");
  return filters;
}

/**
 * The plan of a query. Every query vector must have the collection's dimension.
 * @throws DimensionMismatchError naming the first query vector of another length.
 */
export function planQuery(request: QueryRequest, collection: CollectionInfo, stats: QueryStats): QueryPlan {
  for (const [i, vector] of request.vectors.entries()) {
    if (collection.dimension !== null && vector.length !== collection.dimension) {
      throw new DimensionMismatchError(
        "DIMENSION_MISMATCH",
        `queryEmbeddings[${i}]: collection '${collection.name}' expects vectors of dimension ${collection.dimension}, got ${vector.length}. Query with the embedding model the collection was built with.`,
        { details: { path: `queryEmbeddings[${i}]`, expected: collection.dimension, got: vector.length } },
      );
    }
  }
  const filtered = hasFilter(request.selection);
  return {
    kind: "query",
    collectionId: collection.id,
    selection: request.selection,
    allowed: filtered
      ? { kind: "labels", filters: filtersOf(request.selection), matched: stats.allowed ?? 0 }
      : { kind: "all" },
    strategy: chooseStrategy({
      allowed: filtered ? (stats.allowed ?? 0) : null,
      indexed: stats.indexed,
      k: request.k,
      ef: collection.config.hnsw.ef_search,
      // The engine's exact scans read the allowed vectors from SQLite.
      source: "storage",
    }),
    k: request.k,
    queries: request.vectors.length,
    hydration: hydrationOf(request.include),
  };
}
