/**
 * Query suites: sequential k-NN queries after a warm-up, timed one by one, repeated for several passes; each
 * percentile is the median over passes. recall@k is computed from the first pass. A pass stops early once it
 * exceeds its time budget (slow configurations, e.g. Chroma's filtered queries), and later passes run the same
 * number of queries; the count is reported.
 */
import { latencySummary, medianOfPasses, recallAtK } from "../metrics/stats.mjs";

const MIN_QUERIES = 20;

async function timedPass(handle, queries, k, filter, limit, budgetMs) {
  const latencies = [];
  const found = [];
  const start = performance.now();
  for (let q = 0; q < limit; q++) {
    const t = performance.now();
    found.push(await handle.query(queries[q], k, filter));
    latencies.push(performance.now() - t);
    if (q + 1 >= MIN_QUERIES && performance.now() - start > budgetMs) break;
  }
  return { latencies, found };
}

/**
 * @param {{ queries: Float32Array[], truth: { labels: number[] }[], k: number, filter?: object, passes: number,
 *   warmup: number, budgetMs: number }} options
 */
export async function runQueries(handle, options) {
  const { queries, truth, k, filter, passes, warmup, budgetMs } = options;
  for (let q = 0; q < Math.min(warmup, queries.length); q++) await handle.query(queries[q], k, filter);
  const first = await timedPass(handle, queries, k, filter, queries.length, budgetMs);
  const count = first.found.length;
  const summaries = [latencySummary(first.latencies)];
  for (let p = 1; p < passes; p++) {
    summaries.push(
      latencySummary(
        (await timedPass(handle, queries, k, filter, count, Number.POSITIVE_INFINITY)).latencies,
      ),
    );
  }
  return {
    queries: count,
    passes: summaries.length,
    latencyMs: medianOfPasses(summaries),
    recall: recallAtK(first.found, truth.slice(0, count), k),
  };
}

/**
 * Recall-vs-latency sweep over the search breadth: one pass per ef after a short warm-up. Restores `restoreEf`
 * afterwards (Cairn and Chroma persist ef_search in the collection's configuration).
 */
export async function runSweep(handle, { efs, queries, truth, k, budgetMs, restoreEf, log }) {
  const points = [];
  for (const ef of efs) {
    await handle.setEf(ef);
    const r = await runQueries(handle, {
      queries,
      truth,
      k,
      passes: 1,
      warmup: Math.min(20, queries.length),
      budgetMs,
    });
    points.push({ ef, recall: r.recall, ...r.latencyMs, queries: r.queries });
    log(`sweep ef=${ef}: recall ${r.recall.toFixed(4)}, p50 ${r.latencyMs.p50.toFixed(3)} ms`);
  }
  await handle.setEf(restoreEf);
  return points;
}
