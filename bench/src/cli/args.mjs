/** Command-line options of `pnpm bench`, resolved into a plan with every default in one place. */
import { parseArgs } from "node:util";

export const USAGE = `pnpm bench [options]     (or: npm run bench -- [options])

  --quick              small run for CI: 5k records, 200 queries, Cairn embedded + hnswlib + brute force
  --size LIST          dataset sizes, e.g. 10k,100k (default 100k); 1m is opt-in and only runs when named
  --drivers LIST       cairn,cairn-server,chroma,hnswlib,hnswlib-efc200,brute-force (default: all)
  --queries N          held-out queries (default 1000; --quick 200)
  --passes N           timed passes per query suite; percentiles are medians over passes (default 2)
  --budget SECONDS     time budget of one query pass before it stops early (default 30)
  --out DIR            where latest-<size>.{json,md,svg} go (default bench/results; --quick: bench/results/tmp/quick)
  --no-docs            do not rewrite docs/benchmarks.md (a 100k run without --quick rewrites it)
  --profile            node --cpu-prof for every driver process, into bench/results/tmp/profiles
  --keep               keep the databases under bench/results/tmp/work
  --help`;

const SIZES = { "1k": 1_000, "5k": 5_000, "10k": 10_000, "100k": 100_000, "1m": 1_000_000 };
const ALL_DRIVERS = ["cairn", "cairn-server", "chroma", "hnswlib", "hnswlib-efc200", "brute-force"];
const QUICK_DRIVERS = ["cairn", "hnswlib", "brute-force"];

function parseSize(text) {
  const key = text.trim().toLowerCase();
  const n = SIZES[key] ?? Number(key);
  if (!Number.isInteger(n) || n < 100)
    throw new Error(`--size: expected 10k, 100k, 1m or an integer ≥ 100, got '${text}'`);
  return { n, label: SIZES[key] ? key : String(n) };
}

const list = (text) =>
  text
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);

function positive(value, name, fallback) {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!(n > 0)) throw new Error(`--${name}: expected a positive number, got '${value}'`);
  return n;
}

/** Parses argv into a plan. */
export function parsePlan(argv) {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: "boolean" },
      size: { type: "string" },
      drivers: { type: "string" },
      queries: { type: "string" },
      passes: { type: "string" },
      budget: { type: "string" },
      out: { type: "string" },
      "no-docs": { type: "boolean" },
      profile: { type: "boolean" },
      keep: { type: "boolean" },
      help: { type: "boolean" },
    },
  });
  const quick = values.quick === true;
  const drivers = values.drivers ? list(values.drivers) : quick ? QUICK_DRIVERS : ALL_DRIVERS;
  for (const d of drivers) if (!ALL_DRIVERS.includes(d)) throw new Error(`--drivers: unknown driver '${d}'`);
  return {
    help: values.help === true,
    quick,
    sizes: list(values.size ?? (quick ? "5k" : "100k")).map(parseSize),
    drivers,
    queries: positive(values.queries, "queries", quick ? 200 : 1000),
    passes: positive(values.passes, "passes", 2),
    budgetMs: positive(values.budget, "budget", 30) * 1000,
    warmup: quick ? 20 : 100,
    sweepEfs: quick ? [10, 20, 40, 100, 200] : [10, 20, 40, 60, 100, 200, 400],
    sweepQueries: quick ? 200 : 500,
    coldRuns: 3,
    appendCount: 1000,
    out: values.out,
    docs: !quick && values["no-docs"] !== true,
    profile: values.profile === true,
    keep: values.keep === true,
  };
}
