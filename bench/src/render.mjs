#!/usr/bin/env node
/**
 * Re-renders report files from saved results, without measuring: `node src/render.mjs <latest-*.json>...`
 * rewrites each file's .md and .svg beside it; with --docs also the generated part of docs/benchmarks.md.
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { refreshDocs } from "./report/docs.mjs";
import { evaluateTargets } from "./report/targets.mjs";
import { writeRunFiles } from "./report/write.mjs";

const BENCH = fileURLToPath(new URL("..", import.meta.url));
const args = process.argv.slice(2);
for (const file of args.filter((a) => a.endsWith(".json"))) {
  const report = JSON.parse(readFileSync(file, "utf8"));
  report.targets = evaluateTargets(report.results);
  const files = writeRunFiles(report, dirname(file));
  console.log(`rendered ${files.md}, ${files.svg}`);
}
if (args.includes("--docs")) {
  refreshDocs(join(BENCH, "..", "docs", "benchmarks.md"), join(BENCH, "results"), "# Benchmarks\n");
  console.log("refreshed docs/benchmarks.md");
}
