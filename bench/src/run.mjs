#!/usr/bin/env node
/**
 * `pnpm bench`: generates (or reuses) the dataset, runs every driver in its own process, writes
 * bench/results/latest-<size>.{json,md,svg} and refreshes docs/benchmarks.md. Prints progress lines; asserts
 * nothing about time.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parsePlan, USAGE } from "./cli/args.mjs";
import { createLogger } from "./cli/log.mjs";
import { checkBuilds } from "./cli/preflight.mjs";
import { runBench } from "./harness/bench.mjs";
import { refreshDocs } from "./report/docs.mjs";
import { METHOD } from "./report/method.mjs";
import { resultsTable, targetsTable } from "./report/table.mjs";
import { writeRunFiles } from "./report/write.mjs";

const BENCH = fileURLToPath(new URL("..", import.meta.url));
const RESULTS = join(BENCH, "results");
const TMP = join(RESULTS, "tmp");

const DOCS_TEMPLATE = `# Benchmarks\n\nRun \`pnpm bench\` (full 100k comparison) or \`pnpm bench --quick\`.\n\n## Method\n\n${METHOD}\n`;

async function main() {
  const plan = parsePlan(process.argv.slice(2));
  if (plan.help) {
    console.log(USAGE);
    return;
  }
  const log = createLogger();
  checkBuilds(join(BENCH, ".."), ["core", "server"], log);
  if (plan.profile) {
    process.env.BENCH_CPU_PROF_DIR = join(TMP, "profiles");
    mkdirSync(process.env.BENCH_CPU_PROF_DIR, { recursive: true });
    log(`CPU profiles → ${process.env.BENCH_CPU_PROF_DIR}`);
  }
  const outDir = plan.out ?? (plan.quick ? join(TMP, "quick") : RESULTS);
  const command = ["pnpm bench", ...process.argv.slice(2)].join(" ");
  for (const size of plan.sizes) {
    const report = await runBench(
      { ...plan, size, cacheRoot: TMP, workRoot: join(TMP, "work"), command },
      log,
    );
    const files = writeRunFiles(report, outDir);
    console.log(`\n${resultsTable(report.results)}\n`);
    const targets = targetsTable(report.targets);
    if (targets) console.log(`${targets}\n`);
    log(`wrote ${Object.values(files).join(", ")}`);
  }
  if (plan.docs && outDir === RESULTS) {
    refreshDocs(join(BENCH, "..", "docs", "benchmarks.md"), RESULTS, DOCS_TEMPLATE);
    log("refreshed docs/benchmarks.md");
  }
}

main().catch((error) => {
  console.error(error?.stack ?? error);
  process.exit(1);
});
