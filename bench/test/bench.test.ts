/**
 * Smoke test of the bench harness: a tiny in-process run (1k records) checked for correctness only — the
 * generator matches the testing package's, the ground truth is exact, recall is computed, and the report has
 * its documented shape. Nothing here asserts anything about time.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { clusteredDataset, exactTopK } from "@cairndb/testing";
import { afterAll, describe, expect, it } from "vitest";
import { computeGroundTruth } from "../src/data/ground-truth.mjs";
import { generateMixture } from "../src/data/mixture.mjs";
import { generateColumns } from "../src/data/records.mjs";
import { FILTERS } from "../src/data/filters.mjs";
import { runBench } from "../src/harness/bench.mjs";
import { parsePlan } from "../src/cli/args.mjs";
import { writeRunFiles } from "../src/report/write.mjs";

const root = mkdtempSync(join(tmpdir(), "cairn-bench-test-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const rows = (packed: Float32Array, dim: number) =>
  Array.from({ length: packed.length / dim }, (_, i) => packed.subarray(i * dim, (i + 1) * dim));

describe("dataset", () => {
  it("is bit-identical to @cairndb/testing's clusteredDataset", () => {
    const ours = generateMixture({ n: 300, queries: 20, extra: 5, dim: 384, clusters: 100, seed: 7 });
    const theirs = clusteredDataset({ n: 300, queries: 20, seed: 7 });
    expect(rows(ours.data, 384)).toEqual(theirs.vectors);
    expect(rows(ours.queries, 384)).toEqual(theirs.queries);
    expect(Array.from(ours.clusterOf.subarray(0, 300))).toEqual(Array.from(theirs.clusterOf));
  });

  it("has exact ground truth for every filter", async () => {
    const dim = 384;
    const mix = generateMixture({ n: 500, queries: 10, extra: 0, dim, clusters: 100, seed: 3 });
    const columns = generateColumns(500, 3);
    const truth = await computeGroundTruth({
      data: mix.data,
      dim,
      n: 500,
      queries: mix.queries,
      columns,
      k: 10,
    });
    for (const filter of FILTERS) {
      const accept = filter.predicate?.(columns);
      const allowed = accept ? new Set([...Array(500).keys()].filter(accept)) : undefined;
      const oracle = exactTopK({
        vectors: rows(mix.data, dim),
        queries: rows(mix.queries, dim),
        k: 10,
        allowed,
      });
      expect(truth[filter.name].map((t: { labels: number[] }) => t.labels)).toEqual(
        oracle.map((o) => o.labels),
      );
    }
  });
});

describe("harness (in-process, 1k records)", () => {
  const plan = parsePlan(["--quick", "--size", "1k", "--queries", "40"]);

  it("runs every quick driver and reports recall, latencies and sizes in the documented shape", async () => {
    const report = await runBench(
      {
        ...plan,
        coldRuns: 1,
        size: { n: 1000, label: "1k" },
        cacheRoot: root,
        workRoot: join(root, "work"),
        command: "test",
        inProcess: true,
      },
      () => {},
    );
    expect(report.schema).toBe("cairn-bench/1");
    expect(report.dataset).toMatchObject({ n: 1000, dim: 384, queries: 40, k: 10 });
    expect(report.results.map((r: { driver: string }) => r.driver)).toEqual([
      "cairn",
      "hnswlib",
      "brute-force",
    ]);
    for (const r of report.results) {
      expect(r.skipped).toBeUndefined();
      expect(r.ingest.records).toBe(1000);
      for (const f of FILTERS) {
        const q = r.queries[f.name];
        expect(q.queries).toBeGreaterThan(0);
        expect(q.recall).toBeGreaterThanOrEqual(0);
        expect(q.recall).toBeLessThanOrEqual(1);
        expect(Object.keys(q.latencyMs).sort()).toEqual(["mean", "p50", "p95", "p99"]);
      }
      expect(r.diskBytes).toBeGreaterThan(0);
      expect(r.coldStart.recall).toBeGreaterThan(0);
      expect(r.append.records).toBe(1000);
    }
    // Exact search finds exactly the ground truth: the harness's recall and the truth agree.
    const exact = report.results.find((r: { driver: string }) => r.driver === "brute-force");
    for (const f of FILTERS) expect(exact.queries[f.name].recall).toBe(1);
    const cairn = report.results.find((r: { driver: string }) => r.driver === "cairn");
    expect(cairn.sweep.map((p: { ef: number }) => p.ef)).toEqual(plan.sweepEfs);
    for (const t of report.targets) expect([true, false, null]).toContain(t.met);

    const files = writeRunFiles(report, join(root, "out"));
    expect(JSON.parse(readFileSync(files.json, "utf8"))).toEqual(JSON.parse(JSON.stringify(report)));
    expect(readFileSync(files.md, "utf8")).toContain("| Cairn embedded |");
    expect(readFileSync(files.svg, "utf8")).toMatch(/^<svg /);
    expect(existsSync(files.svg)).toBe(true);
  });
});
