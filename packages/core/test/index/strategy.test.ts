/**
 * The one strategy choice (`chooseStrategy`) and its executors: a table of the rules, properties over random
 * inputs, and every strategy against a brute-force reference on small random data.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { distanceFn } from "../../src/distance";
import {
  chooseStrategy,
  EXACT_SCAN_COEFFICIENT,
  exactScanLimit,
  FlatIndex,
  HnswIndex,
  OVERFETCH_MAX_CANDIDATES,
  OVERFETCH_MIN_SELECTIVITY,
  type SearchStrategy,
  type StrategyInput,
  searchWith,
  TieredIndex,
  type VectorSource,
} from "../../src/index/index";
import type { Space } from "../../src/types";
import { expectSameTopK } from "./conformance";

const base: StrategyInput = { allowed: null, indexed: 10_000, k: 10, ef: 100, source: "storage" };

describe("chooseStrategy: the rules", () => {
  // limit at 10k, ef 100: storage √(0.45·100·10k) = 671, graph 224, memory 2000.
  const table: [string, Partial<StrategyInput>, SearchStrategy["kind"]][] = [
    ["k = 0", { k: 0 }, "empty"],
    ["k = 0 with a filter", { k: 0, allowed: 5 }, "empty"],
    ["empty index", { indexed: 0 }, "empty"],
    ["empty index with a filter", { indexed: 0, allowed: 5 }, "empty"],
    ["filter matching nothing", { allowed: 0 }, "empty"],
    ["no filter", {}, "graph"],
    ["no filter, k > n", { k: 50_000 }, "graph"],
    ["allowed ≤ k", { allowed: 7 }, "exact"],
    ["allowed = k", { allowed: 10 }, "exact"],
    ["allowed at the storage limit", { allowed: 671 }, "exact"],
    ["allowed just above the storage limit (selectivity 6.7%)", { allowed: 672 }, "overfetch"],
    ["graph source: limit 224", { allowed: 225, source: "graph" }, "filtered-graph"],
    ["memory source: limit 2000", { allowed: 2000, source: "memory" }, "exact"],
    ["selective filter at 100k", { indexed: 100_000, allowed: 4_000 }, "filtered-graph"],
    ["permissive filter at 100k", { indexed: 100_000, allowed: 10_000 }, "overfetch"],
    ["permissive filter, large k", { indexed: 100_000, allowed: 10_000, k: 100 }, "filtered-graph"],
    ["fixed limit 0 disables the ≤ k rule", { allowed: 3, exactLimit: 0 }, "filtered-graph"],
    ["fixed limit wins over the break-even", { allowed: 5_000, exactLimit: 5_000 }, "exact"],
  ];
  it.each(table)("%s", (_name, input, kind) => {
    expect(chooseStrategy({ ...base, ...input }).kind).toBe(kind);
  });

  it("computes the break-even per vector source", () => {
    for (const source of ["storage", "graph", "memory"] as VectorSource[]) {
      expect(exactScanLimit({ ef: 100, source, n: 10_000 })).toBe(
        Math.round(Math.sqrt(EXACT_SCAN_COEFFICIENT[source] * 100 * 10_000)),
      );
    }
    expect(exactScanLimit({ ef: 100, source: "storage", n: 10_000, exactLimit: 3 })).toBe(3);
  });

  it("over-fetches ⌈3·k / selectivity⌉ candidates, searched at the plan's ef", () => {
    const s = chooseStrategy({ ...base, indexed: 100_000, allowed: 10_000 });
    expect(s).toMatchObject({ kind: "overfetch", candidates: 300, factor: 3, ef: 100 });
  });

  it("measures graph-search cost on the graph's nodes (tombstones included)", () => {
    const live = { ...base, source: "graph" as const, allowed: 300, indexed: 10_000 };
    expect(chooseStrategy(live).kind).not.toBe("exact");
    expect(chooseStrategy({ ...live, graphSize: 20_000 }).kind).toBe("exact");
  });

  it("says why", () => {
    expect(chooseStrategy({ ...base, allowed: 7 }).reason).toBe("allowed set (7) ≤ k (10)");
    expect(chooseStrategy({ ...base, allowed: 0 }).reason).toBe("the filters match no records");
  });
});

const inputArb: fc.Arbitrary<StrategyInput> = fc.record({
  allowed: fc.option(fc.integer({ min: 0, max: 200_000 }), { nil: null }),
  indexed: fc.integer({ min: 0, max: 200_000 }),
  k: fc.integer({ min: 0, max: 2_000 }),
  ef: fc.integer({ min: 1, max: 1_000 }),
  source: fc.constantFrom<VectorSource>("storage", "graph", "memory"),
});

describe("chooseStrategy: properties", () => {
  it("is empty exactly when nothing can be found", () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const empty = input.k === 0 || input.indexed === 0 || input.allowed === 0;
        expect(chooseStrategy(input).kind === "empty").toBe(empty);
      }),
    );
  });

  it("searches the graph unfiltered exactly when there is no filter", () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const s = chooseStrategy(input);
        if (s.kind !== "empty") expect(s.kind === "graph").toBe(input.allowed === null);
      }),
    );
  });

  it("scans exactly whenever the allowed set is ≤ max(k, exact-scan limit)", () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const s = chooseStrategy(input);
        if (s.kind === "empty" || input.allowed === null) return;
        const limit = exactScanLimit({ ...input, n: input.indexed });
        expect(s.kind === "exact").toBe(input.allowed <= Math.max(input.k, limit));
        if (s.kind === "exact") expect(s.source).toBe(input.source);
      }),
    );
  });

  it("is monotone: a smaller allowed set never leaves the exact scan", () => {
    fc.assert(
      fc.property(inputArb, fc.integer({ min: 1, max: 200_000 }), (input, smaller) => {
        if (input.allowed === null || chooseStrategy(input).kind !== "exact") return;
        const m = Math.min(smaller, input.allowed);
        expect(chooseStrategy({ ...input, allowed: m }).kind).toBe("exact");
      }),
    );
  });

  it("over-fetches only for permissive filters and a short candidate list", () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const s = chooseStrategy(input);
        if (s.kind !== "overfetch") return;
        expect(input.allowed! / input.indexed).toBeGreaterThanOrEqual(OVERFETCH_MIN_SELECTIVITY);
        expect(s.candidates).toBeLessThanOrEqual(Math.min(OVERFETCH_MAX_CANDIDATES, input.indexed));
        expect(s.candidates).toBeGreaterThanOrEqual(Math.min(input.k, input.allowed!, input.indexed));
        expect(s.ef).toBe(input.ef);
      }),
    );
  });

  it("returns plain data (JSON round trip)", () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const s = chooseStrategy(input);
        expect(JSON.parse(JSON.stringify(s))).toEqual(s);
      }),
    );
  });
});

// ---- every strategy against brute force -------------------------------------------------------------------

const DIM = 4;
const vectorArb = fc
  .array(fc.integer({ min: -4, max: 4 }), { minLength: DIM, maxLength: DIM })
  .map((xs) => Float32Array.from(xs));

/** A small dataset (HNSW at ef 100 over ≤ 60 points is exact), an allowed subset, a query and k. */
const caseArb = fc
  .record({
    space: fc.constantFrom<Space>("l2", "cosine", "ip"),
    vectors: fc.array(vectorArb, { minLength: 1, maxLength: 60 }),
    query: vectorArb,
    k: fc.integer({ min: 1, max: 15 }),
    keep: fc.double({ min: 0, max: 1, noNaN: true }),
    seed: fc.integer({ min: 0, max: 1_000 }),
  })
  .map((c) => {
    const allowed = new Set<number>();
    c.vectors.forEach((_, label) => {
      // A deterministic subset of about `keep` of the labels.
      if (((label * 7919 + c.seed) % 1000) / 1000 < c.keep) allowed.add(label);
    });
    return { ...c, allowed };
  });

/** Strategies to force, whatever chooseStrategy would pick for the case. */
function forced(allowed: number, indexed: number, k: number): SearchStrategy[] {
  return [
    { kind: "exact", source: "storage", reason: "forced" },
    { kind: "exact", source: "graph", reason: "forced" },
    { kind: "filtered-graph", ef: 100, reason: "forced" },
    { kind: "overfetch", candidates: indexed, factor: 3, ef: 100, reason: "forced: everything" },
    // Too few candidates for k allowed ones, usually: the executor must fall back to the filtered search.
    { kind: "overfetch", candidates: Math.min(k, indexed), factor: 3, ef: 100, reason: "forced: short" },
    chooseStrategy({ allowed, indexed, k, ef: 100, source: "storage" }),
  ];
}

describe("every strategy equals brute force", () => {
  it("for HnswIndex, TieredIndex and the engine's exact scan over stored vectors", () => {
    fc.assert(
      fc.property(caseArb, ({ space, vectors, query, k, allowed }) => {
        const labels = vectors.map((_, i) => i);
        const truth = new FlatIndex({ space, dimension: DIM });
        truth.upsert(labels, vectors);
        const trueDistance = (label: number) => distanceFn(space)(query, vectors[label]!);
        const stored = () => {
          const flat = new FlatIndex({ space, dimension: DIM });
          const kept = [...allowed];
          flat.upsert(
            kept,
            kept.map((l) => vectors[l]!),
          );
          return flat;
        };
        const indexes = [
          new HnswIndex({ space, dimension: DIM }),
          new HnswIndex({ space, dimension: DIM, keepVectors: true }),
          new TieredIndex({ space, dimension: DIM, batchSize: 10 }),
        ];
        for (const index of indexes) {
          index.upsert(labels, vectors);
          for (const strategy of forced(allowed.size, vectors.length, k)) {
            const expected =
              strategy.kind === "graph" ? truth.search(query, k) : truth.search(query, k, { allowed });
            const got = searchWith(strategy, { index, allowed: () => allowed, exact: stored }, query, k);
            expectSameTopK(got, expected, trueDistance);
            if (strategy.kind !== "graph")
              for (const label of got.labels) expect(allowed.has(label)).toBe(true);
          }
          // Unfiltered.
          const graph = chooseStrategy({
            allowed: null,
            indexed: vectors.length,
            k,
            ef: 100,
            source: "storage",
          });
          expectSameTopK(searchWith(graph, { index }, query, k), truth.search(query, k), trueDistance);
        }
      }),
      { numRuns: 60 },
    );
  });

  it("refuses a filtered strategy without its allowed set (never searches everything)", () => {
    const index = new HnswIndex({ space: "l2", dimension: 2 });
    index.upsert([1], [new Float32Array([0, 0])]);
    const strategy: SearchStrategy = { kind: "filtered-graph", ef: 10, reason: "test" };
    expect(() => searchWith(strategy, { index }, new Float32Array([0, 0]), 1)).toThrow(/allowed labels/);
  });

  it("answers the empty strategy without touching the index", () => {
    const index = {
      search: () => {
        throw new Error("searched");
      },
    };
    const empty: SearchStrategy = { kind: "empty", reason: "k is 0" };
    expect(searchWith(empty, { index }, new Float32Array([0]), 3)).toEqual({ labels: [], distances: [] });
  });
});
