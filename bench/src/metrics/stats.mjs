/** Small statistics helpers: percentiles, medians, recall. */

/** Nearest-rank percentile of an unsorted sample (p in [0, 100]). */
export function percentile(values, p) {
  if (values.length === 0) return Number.NaN;
  const sorted = Float64Array.from(values).sort();
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

/** Median of numbers (mean of the middle two for an even count). */
export function median(values) {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** p50/p95/p99/mean of one pass of latencies (ms). */
export function latencySummary(samples) {
  const mean = samples.reduce((a, b) => a + b, 0) / Math.max(1, samples.length);
  return { p50: percentile(samples, 50), p95: percentile(samples, 95), p99: percentile(samples, 99), mean };
}

/** Each field's median over passes. */
export function medianOfPasses(passes) {
  const keys = Object.keys(passes[0] ?? {});
  return Object.fromEntries(keys.map((key) => [key, median(passes.map((p) => p[key]))]));
}

/**
 * recall@k pooled over queries: found true neighbours / true neighbours (a filter with fewer than k matches
 * has fewer true neighbours).
 */
export function recallAtK(found, truth, k) {
  let hits = 0;
  let total = 0;
  for (let q = 0; q < found.length; q++) {
    const want = new Set(truth[q].labels.slice(0, k));
    for (const label of found[q].slice(0, k)) if (want.has(label)) hits++;
    total += Math.min(k, truth[q].labels.length);
  }
  return total === 0 ? 1 : hits / total;
}
