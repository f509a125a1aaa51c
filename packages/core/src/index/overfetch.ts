/**
 * Filtered search by over-fetching: one UNfiltered graph search for enough candidates that ~3·k of them are
 * expected to pass the filter, then keep the allowed ones. For permissive filters this beats hnswlib's filtered
 * search, which calls back into JS for every node it visits (~0.55 µs each, ~2.5·ef/s nodes at selectivity s).
 * Measured at 10% selectivity, ef 100 (k' = 300): 10k × 384-d, 1.55 → 0.60 ms per search (recall.test log);
 * 100k, a whole Cairn query 0.62 ms vs 1.08 ms for raw hnswlib's callback search alone, recall@10 1.000 (bench).
 * Below MIN_SELECTIVITY the candidate list grows too long (k/s) and the callback search wins; when too few
 * candidates pass, the caller falls back to it, so results never shrink.
 */
import type { SearchResult } from "./types";

/** Selectivity (allowed / indexed) from which over-fetching is tried. */
export const OVERFETCH_MIN_SELECTIVITY = 0.05;
/** Expected allowed candidates per wanted result. */
const OVERFETCH_FACTOR = 3;
/** Longest candidate list worth fetching (beyond it the callback search is cheaper). */
const OVERFETCH_MAX_CANDIDATES = 1000;

/**
 * Tries the over-fetch strategy. `search(candidates, ef)` runs an unfiltered search. Returns null when the
 * filter is too selective, or when fewer than `k` candidates pass (the caller then runs a filtered search).
 * @param indexed number of elements the graph searches over (live)
 */
export function searchByOverfetch(
  search: (candidates: number, ef: number) => SearchResult,
  allowed: ReadonlySet<number>,
  k: number,
  ef: number,
  indexed: number,
): SearchResult | null {
  const selectivity = allowed.size / indexed;
  if (selectivity < OVERFETCH_MIN_SELECTIVITY) return null;
  const candidates = Math.min(indexed, Math.ceil((OVERFETCH_FACTOR * k) / selectivity));
  if (candidates > OVERFETCH_MAX_CANDIDATES) return null;
  const found = search(candidates, Math.max(ef, candidates));
  const labels: number[] = [];
  const distances: number[] = [];
  for (let i = 0; i < found.labels.length && labels.length < k; i++) {
    const label = found.labels[i] as number;
    if (!allowed.has(label)) continue;
    labels.push(label);
    distances.push(found.distances[i] as number);
  }
  return labels.length === k ? { labels, distances } : null;
}
