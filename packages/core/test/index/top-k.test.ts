import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FlatIndex } from "../../src/index/index";
import { mergeResults, TopK } from "../../src/index/top-k";

describe("TopK (bounded max-heap)", () => {
  it("keeps the same k as a full sort by (distance, label), whatever the push order", () => {
    const candidate = fc.record({
      distance: fc.integer({ min: 0, max: 5 }),
      label: fc.integer({ min: 0, max: 1000 }),
    });
    fc.assert(
      fc.property(
        fc.uniqueArray(candidate, { selector: (c) => c.label, maxLength: 60 }),
        fc.nat(20),
        (items, k) => {
          const top = new TopK(k);
          for (const { distance, label } of items) top.push(distance, label);
          const sorted = [...items].sort((a, b) => a.distance - b.distance || a.label - b.label).slice(0, k);
          expect(top.result()).toEqual({
            labels: sorted.map((c) => c.label),
            distances: sorted.map((c) => c.distance),
          });
        },
      ),
    );
  });

  it("exposes the distance to beat once full", () => {
    const top = new TopK(2);
    top.push(5, 1);
    expect(top.worst).toBe(Number.POSITIVE_INFINITY);
    top.push(3, 2);
    expect(top.worst).toBe(5);
    top.push(1, 3);
    expect(top.worst).toBe(3);
    expect(new TopK(0).result()).toEqual({ labels: [], distances: [] });
  });

  it("merges disjoint lists", () => {
    const merged = mergeResults(
      3,
      { labels: [1, 2], distances: [0.1, 0.5] },
      { labels: [3, 4], distances: [0.2, 0.3] },
    );
    expect(merged).toEqual({ labels: [1, 3, 4], distances: [0.1, 0.2, 0.3].map(Math.fround) });
  });
});

describe("FlatIndex ties", () => {
  it("returns the smallest labels among equal distances, independent of insertion order", () => {
    const index = new FlatIndex({ space: "l2", dimension: 1 });
    const labels = [9, 4, 7, 1, 8, 2];
    index.upsert(
      labels,
      labels.map(() => new Float32Array([1])),
    );
    expect(index.search(new Float32Array([0]), 3).labels).toEqual([1, 2, 4]);
  });
});
