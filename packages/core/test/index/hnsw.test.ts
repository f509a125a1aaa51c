import { describe, expect, it } from "vitest";
import type { CairnError } from "../../src/errors";
import { DEFAULT_HNSW_PARAMS, HnswIndex } from "../../src/index/index";
import { createRng } from "../../../testing/src/datasets";

const f32 = (...xs: number[]) => new Float32Array(xs);

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return (error as CairnError).code;
  }
  return undefined;
}

function randomVectors(seed: number, n: number, dim: number): Float32Array[] {
  const rng = createRng(seed);
  return Array.from({ length: n }, () => Float32Array.from({ length: dim }, () => rng.gaussian()));
}

describe("HnswIndex over hnswlib-node", () => {
  it("uses Chroma's defaults", () => {
    const index = new HnswIndex({ space: "l2", dimension: 2 });
    expect(DEFAULT_HNSW_PARAMS).toEqual({
      maxNeighbors: 16,
      efConstruction: 100,
      efSearch: 100,
      resizeFactor: 1.2,
      seed: 100,
    });
    expect(index.params).toEqual(DEFAULT_HNSW_PARAMS);
    expect(index.stats()).toEqual({ live: 0, deleted: 0, capacity: 1000 });
  });

  it("tombstones removed labels and revives them in place when re-added", () => {
    const index = new HnswIndex({ space: "l2", dimension: 2, initialCapacity: 3 });
    index.upsert([1, 2, 3], [f32(0, 0), f32(1, 0), f32(2, 0)]);
    expect(index.remove([2, 2])).toBe(1);
    expect(index.deletedLabels()).toEqual([2]);
    expect(index.stats()).toEqual({ live: 2, deleted: 1, capacity: 3 });
    // Full capacity: a new slot would need a resize, a revived tombstone does not.
    index.upsert([2], [f32(5, 0)]);
    expect(index.stats()).toEqual({ live: 3, deleted: 0, capacity: 3 });
    expect(index.search(f32(5, 0), 1)).toEqual({ labels: [2], distances: [0] });
  });

  it("grows capacity by the resize factor, or to fit a big batch", () => {
    const index = new HnswIndex({ space: "l2", dimension: 2, initialCapacity: 10, resizeFactor: 1.5 });
    const vectors = randomVectors(1, 200, 2);
    index.upsert(
      vectors.slice(0, 11).map((_, i) => i),
      vectors.slice(0, 11),
    );
    expect(index.stats().capacity).toBe(15);
    index.upsert(
      vectors.slice(11).map((_, i) => 11 + i),
      vectors.slice(11),
    );
    expect(index.stats().capacity).toBe(200);
    index.setResizeFactor(2);
    index.upsert([500], [f32(0, 0)]);
    expect(index.stats().capacity).toBe(400);
    expect(index.size()).toBe(201);
  });

  it("applies a per-search ef without changing the default", () => {
    const index = new HnswIndex({ space: "cosine", dimension: 8 });
    const vectors = randomVectors(2, 300, 8);
    index.upsert(
      vectors.map((_, i) => i),
      vectors,
    );
    expect(index.search(vectors[7]!, 1, { ef: 300 }).labels).toEqual([7]);
    expect(index.params.efSearch).toBe(100);
    index.setEf(20);
    expect(index.params.efSearch).toBe(20);
    expect(index.search(vectors[7]!, 50).labels).toHaveLength(50);
  });

  it("validates parameters", () => {
    expect(codeOf(() => new HnswIndex({ space: "l2", dimension: 0 }))).toBe("INVALID_ARGUMENT");
    expect(codeOf(() => new HnswIndex({ space: "l2", dimension: 2, maxNeighbors: 0 }))).toBe(
      "INVALID_ARGUMENT",
    );
    expect(codeOf(() => new HnswIndex({ space: "l2", dimension: 2, efConstruction: 1.5 }))).toBe(
      "INVALID_ARGUMENT",
    );
    expect(codeOf(() => new HnswIndex({ space: "l2", dimension: 2, resizeFactor: 1 }))).toBe(
      "INVALID_ARGUMENT",
    );
    expect(codeOf(() => new HnswIndex({ space: "l2", dimension: 2, seed: -1 }))).toBe("INVALID_ARGUMENT");
    const index = new HnswIndex({ space: "l2", dimension: 2 });
    expect(codeOf(() => index.setEf(0))).toBe("INVALID_ARGUMENT");
    expect(codeOf(() => index.setResizeFactor(0.5))).toBe("INVALID_ARGUMENT");
    index.upsert([1], [f32(1, 1)]);
    expect(codeOf(() => index.search(f32(1, 1), 1, { ef: 0 }))).toBe("INVALID_ARGUMENT");
  });

  it("answers small allowed sets exactly and large ones through the graph (default limit √(0.05·ef·n))", () => {
    const index = new HnswIndex({ space: "l2", dimension: 4 });
    const vectors = randomVectors(3, 2000, 4);
    index.upsert(
      vectors.map((_, i) => i),
      vectors,
    );
    expect(index.exactScanLimit()).toBe(Math.round(Math.sqrt(0.05 * 100 * 2000)));
    expect(index.exactScanLimit(400)).toBe(Math.round(Math.sqrt(0.05 * 400 * 2000)));
    expect(new HnswIndex({ space: "l2", dimension: 4, exactScanLimit: 7 }).exactScanLimit()).toBe(7);
    const kept = new HnswIndex({ space: "l2", dimension: 4, keepVectors: true });
    kept.upsert(
      vectors.map((_, i) => i),
      vectors,
    );
    expect(kept.exactScanLimit()).toBe(Math.round(Math.sqrt(4 * 100 * 2000)));
    // Both paths agree with each other (and, in the conformance suite, with brute force).
    const allowed = new Set(Array.from({ length: 150 }, (_, i) => i * 13));
    const exact = new HnswIndex({ space: "l2", dimension: 4, exactScanLimit: Number.POSITIVE_INFINITY });
    exact.upsert(
      vectors.map((_, i) => i),
      vectors,
    );
    const q = f32(0.1, 0.2, 0.3, 0.4);
    expect(index.search(q, 10, { allowed }).labels).toEqual(exact.search(q, 10, { allowed }).labels);
  });

  it("ignores removal of labels it never had and keeps ones it has", () => {
    const index = new HnswIndex({ space: "ip", dimension: 2 });
    index.upsert([1], [f32(1, 0)]);
    expect(index.remove([9, 10])).toBe(0);
    expect(index.remove([])).toBe(0);
    expect(index.has(1)).toBe(true);
  });
});
