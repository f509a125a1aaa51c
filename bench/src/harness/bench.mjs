/**
 * One benchmark run at one size: prepare the dataset, run each driver's job in isolation, evaluate targets.
 * Returns the report object that report/write.mjs serialises.
 */
import { rmSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { datasetParams, prepareDataset, readManifest } from "../data/dataset.mjs";
import { describeMachine } from "../report/machine.mjs";
import { evaluateTargets } from "../report/targets.mjs";
import { runJobIsolated } from "./run-job.mjs";

/**
 * @param {object} options the plan of cli/args.mjs plus { size: {n, label}, cacheRoot, workRoot, command, inProcess? }
 * @param {(line: string, scope?: string) => void} log
 */
export async function runBench(options, log) {
  const start = performance.now();
  const params = datasetParams({ n: options.size.n, queries: options.queries, extra: options.appendCount });
  log(`dataset: ${params.n} × ${params.dim} d, ${params.queries} queries (seed ${params.seed})`);
  const dataDir = await prepareDataset(params, options.cacheRoot, log);
  const manifest = readManifest(dataDir);
  const results = [];
  for (const driver of options.drivers) {
    const dir = join(options.workRoot, `${options.size.label}-${driver}`);
    const job = {
      driver,
      dataDir,
      dir,
      k: params.k,
      queries: params.queries,
      passes: options.passes,
      warmup: options.warmup,
      budgetMs: options.budgetMs,
      sweepEfs: options.sweepEfs,
      sweepQueries: Math.min(options.sweepQueries, params.queries),
      coldRuns: options.coldRuns,
      appendCount: options.appendCount,
      inProcess: options.inProcess === true,
    };
    log(`start (load average ${loadavg()[0].toFixed(2)})`, driver);
    const loadBefore = loadavg()[0];
    const result = await runJobIsolated(job, (line) => log(line, driver));
    // Other work on the machine skews latencies: keep the 1-minute load average next to every result.
    result.loadAverage = { before: loadBefore, after: loadavg()[0] };
    if (result.skipped) log(`skipped: ${result.skipped}`, driver);
    results.push(result);
    if (!options.keep) rmSync(dir, { recursive: true, force: true });
  }
  return {
    schema: "cairn-bench/1",
    sizeLabel: options.size.label,
    createdAt: new Date().toISOString(),
    command: options.command,
    machine: describeMachine(),
    wallSeconds: (performance.now() - start) / 1000,
    dataset: manifest,
    settings: {
      k: params.k,
      batchSize: 1000,
      passes: options.passes,
      warmup: options.warmup,
      budgetSeconds: options.budgetMs / 1000,
      sweepEfs: options.sweepEfs,
      sweepQueries: options.sweepQueries,
      coldRuns: options.coldRuns,
    },
    results,
    targets: evaluateTargets(results),
  };
}
