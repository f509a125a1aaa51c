/** Writes a run's report files: latest-<size>.json, .md and .svg. */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { machineLine } from "./machine.mjs";
import { METHOD } from "./method.mjs";
import { recallChart } from "./svg.mjs";
import { freshTable, resultsTable, sweepTable, targetsTable } from "./table.mjs";

const FRESH_NOTE =
  "The filters above are the same object on every query, and Cairn keeps a resolved filter until the next write. " +
  "With a new filter object on every query (same records matched), Cairn resolves each one in SQLite:";

/** The Markdown body of one run (used by latest-<size>.md and the docs). */
export function runMarkdown(report, { headingLevel = 2, chart } = {}) {
  const h = "#".repeat(headingLevel);
  const d = report.dataset;
  const parts = [
    `${h} ${d.n.toLocaleString("en-US")} records × ${d.dim} d, ${d.queries.toLocaleString("en-US")} queries`,
    "",
    `Command: \`${report.command}\`  `,
    `Machine: ${machineLine(report.machine)}  `,
    `Run: ${report.createdAt}, ${Math.round(report.wallSeconds)} s wall. Filter selectivity: ${(100 * d.selectivity.category).toFixed(1)}% / ${(100 * d.selectivity["category-year"]).toFixed(2)}%.`,
    "",
    resultsTable(report.results),
  ];
  const fresh = freshTable(report.results);
  if (fresh) parts.push("", FRESH_NOTE, "", fresh);
  const targets = targetsTable(report.targets);
  if (targets) parts.push("", `${h}# Targets`, "", targets);
  if (chart) parts.push("", `![recall vs queries per second](${chart})`);
  const sweep = sweepTable(report.results);
  if (sweep) parts.push("", `${h}# ef sweep (unfiltered)`, "", sweep);
  return parts.join("\n");
}

/** Writes the three files; returns their paths. */
export function writeRunFiles(report, outDir) {
  mkdirSync(outDir, { recursive: true });
  const base = join(outDir, `latest-${report.sizeLabel}`);
  writeFileSync(`${base}.json`, `${JSON.stringify(report, null, 2)}\n`);
  const svgName = `latest-${report.sizeLabel}.svg`;
  writeFileSync(
    `${base}.svg`,
    recallChart(
      report.results,
      `recall@10 vs queries/s — ${report.dataset.n.toLocaleString("en-US")} × ${report.dataset.dim} d`,
    ),
  );
  const md = [
    `# Cairn benchmark: ${report.sizeLabel}`,
    "",
    runMarkdown(report, { chart: svgName }),
    "",
    "## Method",
    "",
    METHOD,
    "",
  ];
  writeFileSync(`${base}.md`, md.join("\n"));
  return { json: `${base}.json`, md: `${base}.md`, svg: `${base}.svg` };
}
