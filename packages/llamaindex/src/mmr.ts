/**
 * Maximal marginal relevance as LlamaIndex defines it (`getTopKMMREmbeddings` in `@llamaindex/core/embeddings`,
 * ported from Python's `get_top_k_mmr_embeddings`). Pure.
 */
import { similarity } from "@llamaindex/core/embeddings";

/** LlamaIndex's default `mmrThreshold` (the weight of relevance against diversity). */
export const DEFAULT_MMR_THRESHOLD = 0.5;

/**
 * Picks up to `k` candidates by maximal marginal relevance and returns their indices in pick order.
 *
 * With `λ = mmrThreshold` and cosine similarity `sim`: the first pick is the candidate most similar to the
 * query; each later pick maximises `λ · sim(query, c) − (1 − λ) · sim(c, lastPick)`. As in LlamaIndex, the
 * penalty looks at the most recent pick only (not the maximum over all picks), and ties keep the earlier
 * candidate. One deliberate difference: LlamaIndex reads `mmrThreshold || 0.5`, so `0` silently becomes
 * `0.5`; here `0` means "diversity only".
 *
 * @param query the query embedding.
 * @param candidates candidate embeddings (same length as `query`).
 * @param k how many to pick.
 * @param mmrThreshold λ in [0, 1]; default 0.5.
 * @example selectMmr([1, 0], [[1, 0], [0.99, 0.1], [0, 1]], 2, 0.5) // → [0, 2]
 */
export function selectMmr(
  query: number[],
  candidates: number[][],
  k: number,
  mmrThreshold = DEFAULT_MMR_THRESHOLD,
): number[] {
  const lambda = mmrThreshold;
  const relevance = candidates.map((c) => similarity(query, c));
  const remaining = new Set(candidates.map((_, i) => i));
  const picked: number[] = [];
  let next = -1;
  let best = Number.NEGATIVE_INFINITY;
  for (const i of remaining) {
    if ((relevance[i] as number) * lambda > best) {
      best = (relevance[i] as number) * lambda;
      next = i;
    }
  }
  while (picked.length < Math.min(k, candidates.length) && next >= 0) {
    picked.push(next);
    remaining.delete(next);
    const recent = candidates[next] as number[];
    next = -1;
    best = Number.NEGATIVE_INFINITY;
    for (const i of remaining) {
      const score =
        lambda * (relevance[i] as number) - (1 - lambda) * similarity(candidates[i] as number[], recent);
      if (score > best) {
        best = score;
        next = i;
      }
    }
  }
  return picked;
}
