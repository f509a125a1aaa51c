/** Markdown tables of a run: one row per driver, then the targets. */
import { int, mib, ms, recall, unit } from "./format.mjs";

const HEADER = [
  "driver",
  "ingest rec/s",
  "p50 ms",
  "p95 ms",
  "p99 ms",
  "recall@10",
  "10% filter p50 / recall",
  "1% filter p50 / recall",
  "peak RSS MiB",
  "disk MiB",
  "index MiB",
  "+1,000 records: written MiB (% of index)",
  "new process → first result ms",
];

function row(r) {
  if (r.skipped) return [r.label, `skipped: ${r.skipped}`, ...HEADER.slice(2).map(() => "")];
  const q = r.queries;
  const filtered = (name) =>
    `${ms(q[name].latencyMs.p50)} / ${recall(q[name].recall)}${q[name].queries < q.none.queries ? ` (${q[name].queries} q)` : ""}`;
  const share = r.indexBytes ? ` (${((100 * r.append.io?.writeBytes) / r.indexBytes).toFixed(1)}%)` : "";
  const written = r.append?.io ? `${mib(r.append.io.writeBytes)}${share}` : "–";
  return [
    r.label,
    int(r.ingest.recordsPerSec),
    ms(q.none.latencyMs.p50),
    ms(q.none.latencyMs.p95),
    ms(q.none.latencyMs.p99),
    recall(q.none.recall),
    filtered("category"),
    filtered("category-year"),
    mib(r.peakRssBytes),
    mib(r.diskBytes),
    mib(r.indexBytes),
    written,
    ms(r.coldStart?.ms),
  ];
}

const line = (cells) => `| ${cells.join(" | ")} |`;

/** The results table. */
export function resultsTable(results) {
  return [line(HEADER), line(HEADER.map(() => "---")), ...results.map((r) => line(row(r)))].join("\n");
}

/** The targets table (empty string when there is nothing to compare with). */
export function targetsTable(targets) {
  if (targets.length === 0) return "";
  const rows = targets.map((t) =>
    line([
      t.name,
      unit(t.value, t.note),
      `${t.cmp} ${unit(t.limit, t.note)}`,
      t.met === null ? "n/a" : t.met ? "met" : "**missed**",
    ]),
  );
  return [
    line(["target (Cairn embedded)", "measured", "limit", ""]),
    line(["---", "---", "---", "---"]),
    ...rows,
  ].join("\n");
}

/** Filters that change on every query (they defeat Cairn's filter cache), for the drivers measured with them. */
export function freshTable(results) {
  const rows = results
    .filter((r) => r.queries?.["category-fresh"])
    .map((r) => {
      const cell = (name) => `${ms(r.queries[name].latencyMs.p50)} / ${recall(r.queries[name].recall)}`;
      return line([
        r.label,
        cell("category-fresh"),
        cell("category-year-fresh"),
        r.queries["category-fresh"].queries,
      ]);
    });
  if (rows.length === 0) return "";
  const header = line(["driver", "10% filter p50 / recall", "1% filter p50 / recall", "queries"]);
  return [header, line(["---", "---", "---", "---"]), ...rows].join("\n");
}

/** The ef sweep as a table. */
export function sweepTable(results) {
  const rows = results
    .filter((r) => r.sweep)
    .flatMap((r) =>
      r.sweep.map((p) => line([r.label, p.ef, recall(p.recall), ms(p.p50), ms(p.p95), int(1000 / p.mean)])),
    );
  if (rows.length === 0) return "";
  return [
    line(["driver", "ef", "recall@10", "p50 ms", "p95 ms", "queries/s"]),
    line(["---", "---", "---", "---", "---", "---"]),
    ...rows,
  ].join("\n");
}
