/**
 * One driver's whole measurement, run inside the process that job-child.mjs gives it (or inline for the smoke
 * test): ingest → query suites (unfiltered and each filter) → ef sweep → peak RSS → close → bytes on disk →
 * cold start in a new process → bytes written appending records in a new process.
 */
import { rmSync } from "node:fs";
import { dataBatches } from "../data/batches.mjs";
import { readQueries, readTruth } from "../data/dataset.mjs";
import { FILTERS, FRESH_FILTERS } from "../data/filters.mjs";
import { folderBytes } from "../metrics/proc.mjs";
import { median, recallAtK } from "../metrics/stats.mjs";
import { runIngest } from "../suites/ingest.mjs";
import { runQueries, runSweep } from "../suites/query.mjs";
import { loadContext } from "./context.mjs";
import { appendInNewProcess, coldStart } from "./process-ops.mjs";

/**
 * @typedef {{ driver: string, dataDir: string, dir: string, k: number, queries: number, passes: number,
 *   warmup: number, budgetMs: number, sweepEfs: number[], sweepQueries: number, coldRuns: number,
 *   appendCount: number, inProcess?: boolean }} Job
 */

/** Runs a job; returns its measurements (plain JSON). */
export async function runJob(job, log) {
  const { spec, driver, ctx } = await loadContext(job, log);
  if (driver.probe) {
    const reason = await driver.probe();
    if (reason) return { driver: spec.name, label: spec.label, skipped: reason };
  }
  rmSync(job.dir, { recursive: true, force: true });
  const result = { driver: spec.name, label: spec.label, params: spec.params, n: ctx.manifest.n };
  const handle = await driver.open({ ...ctx, fresh: true });
  result.ingest = await runIngest(handle, dataBatches(ctx, 1000), ctx.manifest.n, log);
  // Peak RSS so far: tells the ingest's footprint apart from what the query suites add.
  result.ingest.peakRssBytes = handle.peakRss();
  log(`ingest: ${Math.round(result.ingest.recordsPerSec)} rec/s (${result.ingest.seconds.toFixed(1)} s)`);
  result.queries = await runQuerySuites(handle, job, ctx, spec, log);
  if (spec.ef && job.sweepEfs.length > 0) {
    const queries = readQueries(job.dataDir, ctx.manifest, job.sweepQueries);
    const truth = readTruth(job.dataDir).none;
    const options = {
      efs: job.sweepEfs,
      queries,
      truth,
      k: job.k,
      budgetMs: job.budgetMs,
      restoreEf: 100,
      log,
    };
    result.sweep = await runSweep(handle, options);
  }
  result.peakRssBytes = handle.peakRss();
  log(
    `peak RSS: ${(result.ingest.peakRssBytes / 2 ** 20).toFixed(0)} MiB after ingest, ${(result.peakRssBytes / 2 ** 20).toFixed(0)} MiB after queries`,
  );
  const closeStart = performance.now();
  await handle.close();
  result.closeSeconds = (performance.now() - closeStart) / 1000;
  result.diskBytes = folderBytes(job.dir);
  result.indexBytes = driver.indexBytes?.(job.dir) ?? null;
  result.coldStart = await measureColdStarts(driver, ctx, job, log);
  result.append = await measureAppend(driver, ctx, job, log);
  return result;
}

// Fresh filters defeat a filter cache: fewer queries and one pass keep their (slower) suites short.
const FRESH_QUERIES = 300;

async function runQuerySuites(handle, job, ctx, spec, log) {
  const queries = readQueries(job.dataDir, ctx.manifest, job.queries);
  const truth = readTruth(job.dataDir);
  const out = {};
  for (const filter of [...FILTERS, ...(spec.filterCache ? FRESH_FILTERS : [])]) {
    const options = {
      ...job,
      queries: filter.fresh ? queries.slice(0, FRESH_QUERIES) : queries,
      passes: filter.fresh ? 1 : job.passes,
      truth: truth[filter.truth ?? filter.name],
      filter: filter.predicate || filter.where ? filter : undefined,
    };
    const r = await runQueries(handle, options);
    out[filter.name] = r;
    const { p50, p95, p99 } = r.latencyMs;
    log(
      `query ${filter.name}: recall ${r.recall.toFixed(4)}, p50/p95/p99 ${p50.toFixed(3)}/${p95.toFixed(3)}/${p99.toFixed(3)} ms (${r.queries} queries × ${r.passes})`,
    );
  }
  return out;
}

async function measureColdStarts(driver, ctx, job, log) {
  const truth = readTruth(job.dataDir).none[0];
  const runs = [];
  for (let i = 0; i < job.coldRuns; i++) runs.push(await coldStart(driver, ctx, job));
  const out = {
    ms: median(runs.map((r) => r.ms)),
    runsMs: runs.map((r) => r.ms),
    recall: recallAtK([runs[0].labels], [truth], job.k),
  };
  if (runs[0].sinceProcessStartMs !== undefined)
    out.sinceProcessStartMs = median(runs.map((r) => r.sinceProcessStartMs));
  log(`cold start → first result: ${out.ms.toFixed(0)} ms (median of ${runs.length})`);
  return out;
}

async function measureAppend(driver, ctx, job, log) {
  const count = Math.min(job.appendCount, ctx.manifest.extra);
  if (count === 0) return null;
  const diskBefore = folderBytes(job.dir);
  const r = await appendInNewProcess(driver, ctx, job, count);
  const out = { ...r, diskBefore, diskAfter: folderBytes(job.dir) };
  const written = r.io
    ? `${(r.io.writeBytes / 2 ** 20).toFixed(1)} MiB written`
    : "bytes written unavailable";
  log(`append ${count} to ${ctx.manifest.n}: ${written}, ${(r.ms / 1000).toFixed(2)} s`);
  return out;
}
