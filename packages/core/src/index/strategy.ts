/**
 * How a k-NN search is answered — the one place that decides it, for the engine's query plans and for the
 * indexes' own `search` calls alike. The strategies:
 *
 * - `empty`: nothing can match (k = 0, no vectors, or an empty allowed set); no index call.
 * - `graph`: an unfiltered HNSW search (or an exact scan, for the exact indexes).
 * - `exact`: distances to exactly the allowed vectors, read from `source` (SQLite rows, hnswlib's `getPoint`, or
 *   a copy kept in memory). Wins while the allowed set is small: its cost grows with the set, a filtered graph
 *   search's with √(ef·n).
 * - `overfetch`: one unfiltered graph search for `candidates` neighbours, keeping the allowed ones (see
 *   `overfetch.ts`). For permissive filters; when fewer than k candidates pass, the executor falls back to
 *   `filtered-graph`, so results never shrink.
 * - `filtered-graph`: hnswlib's search restricted by a membership test on every node it visits.
 *
 * `chooseStrategy` is pure and returns plain data (with the reason), so plans can be logged, compared and
 * tested; `searchWith` runs one.
 */
import type { SearchResult, SearchStrategy, VectorIndex, VectorSource } from "./types";

export type { SearchStrategy, StrategyKind, VectorSource } from "./types";

/** What the choice depends on. */
export interface StrategyInput {
  /** Size of the allowed set (an upper bound on the matches), or null for an unfiltered search. */
  allowed: number | null;
  /** Live (searchable) vectors in the index. */
  indexed: number;
  /** Nodes of the graph, live and tombstoned (what a graph search walks through); default `indexed`. */
  graphSize?: number | undefined;
  /** Results wanted. */
  k: number;
  /** Search breadth of a graph search. */
  ef: number;
  /** Where an exact scan would read its vectors from (sets its cost). */
  source: VectorSource;
  /** A fixed exact-scan limit instead of the measured break-even (e.g. `HnswIndex`'s `exactScanLimit`). */
  exactLimit?: number | undefined;
}

// Cost model, measured at 384-d on 10k and 100k vectors (recall.test prints the numbers): a filtered HNSW
// search at selectivity s = m/n visits ~2.5·ef/s nodes (capped at n) at ~0.55 µs each (one JS filter call per
// node); an exact scan costs t per allowed label. They meet at m = √(2.5 · 0.55/t · ef · n) = √(c · ef · n).
// - storage (vectors read from SQLite, t ≈ 3 µs): c = 0.45 → ~670 labels (6.7%) at 10k, ~2,100 (2.1%) at 100k;
//   once a filter is cached, its exact scans cost ~0.4 µs per label.
// - graph (hnswlib's getPoint, t ≈ 29 µs): c = 0.05 → ~220 labels (2.2%) at 10k, ~700 (0.7%) at 100k.
// - memory (vectors kept in JS, t ≈ 0.35 µs): c = 4 → ~2,000 (20%) at 10k, ~6,300 at 100k.
/** The coefficient c of the exact-scan break-even √(c · ef · n), per vector source. */
export const EXACT_SCAN_COEFFICIENT: Readonly<Record<VectorSource, number>> = Object.freeze({
  storage: 0.45,
  graph: 0.05,
  memory: 4,
});

/** Selectivity (allowed / indexed) from which over-fetching is tried. */
export const OVERFETCH_MIN_SELECTIVITY = 0.05;
/** Expected allowed candidates per wanted result. */
export const OVERFETCH_FACTOR = 3;
/** Longest candidate list worth fetching (beyond it the filtered graph search is cheaper). */
export const OVERFETCH_MAX_CANDIDATES = 1000;

/**
 * Largest allowed set answered by an exact scan: `exactLimit` when given, else the measured break-even
 * `round(√(c · ef · n))` for the vector source's coefficient c and n graph nodes.
 */
export function exactScanLimit(
  input: Pick<StrategyInput, "ef" | "source" | "exactLimit"> & { n: number },
): number {
  if (input.exactLimit !== undefined) return input.exactLimit;
  return Math.round(Math.sqrt(EXACT_SCAN_COEFFICIENT[input.source] * input.ef * input.n));
}

/**
 * Chooses how to answer one k-NN search. Rules, in order: nothing to find → `empty`; no filter → `graph`; an
 * allowed set no larger than k (unless a fixed `exactLimit` is given) or than the exact-scan limit → `exact`; a
 * permissive filter whose candidate list stays short → `overfetch`; else `filtered-graph`.
 * @example chooseStrategy({ allowed: 50, indexed: 10_000, k: 10, ef: 100, source: "storage" }).kind // "exact"
 */
export function chooseStrategy(input: StrategyInput): SearchStrategy {
  const { allowed, indexed, k, ef } = input;
  if (k <= 0) return { kind: "empty", reason: "k is 0" };
  if (indexed <= 0) return { kind: "empty", reason: "the index holds no vectors" };
  if (allowed === null) return { kind: "graph", ef, reason: "no filter" };
  if (allowed <= 0) return { kind: "empty", reason: "the filters match no records" };
  const limit = exactScanLimit({ ...input, n: input.graphSize ?? indexed });
  // A fixed limit is authoritative (tests use 0 to force the graph paths).
  if (allowed <= k && input.exactLimit === undefined) {
    return { kind: "exact", source: input.source, reason: `allowed set (${allowed}) ≤ k (${k})` };
  }
  if (allowed <= limit) {
    return {
      kind: "exact",
      source: input.source,
      reason: `allowed set (${allowed}) ≤ exact-scan limit (${limit})`,
    };
  }
  // `allowed` is an upper bound (it may count labels the index does not hold), hence the cap at 1.
  const selectivity = Math.min(1, allowed / indexed);
  if (selectivity >= OVERFETCH_MIN_SELECTIVITY) {
    const wanted = Math.min(k, allowed, indexed);
    const candidates = Math.min(indexed, Math.ceil((OVERFETCH_FACTOR * wanted) / selectivity));
    if (candidates <= OVERFETCH_MAX_CANDIDATES) {
      return {
        kind: "overfetch",
        candidates,
        factor: OVERFETCH_FACTOR,
        ef,
        reason: `selectivity ${round3(selectivity)} ≥ ${OVERFETCH_MIN_SELECTIVITY}: ${candidates} unfiltered candidates`,
      };
    }
  }
  return {
    kind: "filtered-graph",
    ef,
    reason:
      selectivity < OVERFETCH_MIN_SELECTIVITY
        ? `selectivity ${round3(selectivity)} < ${OVERFETCH_MIN_SELECTIVITY}, allowed set (${allowed}) > exact-scan limit (${limit})`
        : `over-fetching would need more than ${OVERFETCH_MAX_CANDIDATES} candidates`,
  };
}

const round3 = (x: number): number => Math.round(x * 1000) / 1000;

/** What {@link searchWith} searches. */
export interface SearchTarget {
  /** The collection's index (graph strategies). */
  index: Pick<VectorIndex, "search">;
  /** The allowed labels (filtered strategies; built on first use). */
  allowed?: (() => ReadonlySet<number>) | undefined;
  /** An exact index over the allowed vectors, for `exact` over `storage` (built on first use). */
  exact?: (() => Pick<VectorIndex, "search">) | undefined;
}

/**
 * Runs a strategy chosen by {@link chooseStrategy}. `exact` over `storage` searches `target.exact()`; the other
 * strategies go to the index, which executes the strategy it is given.
 */
export function searchWith(
  strategy: SearchStrategy,
  target: SearchTarget,
  query: Float32Array,
  k: number,
): SearchResult {
  switch (strategy.kind) {
    case "empty":
      return { labels: [], distances: [] };
    case "graph":
      return target.index.search(query, k, { strategy });
    case "exact":
      if (strategy.source === "storage" && target.exact) return target.exact().search(query, k);
      return target.index.search(query, k, { allowed: allowedOf(target, strategy), strategy });
    case "overfetch":
    case "filtered-graph":
      return target.index.search(query, k, { allowed: allowedOf(target, strategy), strategy });
  }
}

function allowedOf(target: SearchTarget, strategy: SearchStrategy): ReadonlySet<number> {
  // A filtered strategy without its allowed set would silently search everything.
  if (!target.allowed) throw new Error(`searchWith: the ${strategy.kind} strategy needs the allowed labels`);
  return target.allowed();
}
