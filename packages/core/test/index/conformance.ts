/**
 * The `VectorIndex` conformance suite (STYLE.md §7): every implementation runs the same cases, for every
 * space. Call {@link describeVectorIndex} from a `*.test.ts` file.
 */
import { describe, expect, it } from "vitest";
import { distanceFn } from "../../src/distance";
import type { CairnError } from "../../src/errors";
import type { SearchResult, VectorIndex } from "../../src/index/index";
import type { Space } from "../../src/types";
import { createRng, exactTopK } from "../../../testing/src/datasets";

/** Creates an empty index under test. */
export type IndexFactory = (space: Space, dimension: number) => VectorIndex;

const SPACES: Space[] = ["l2", "cosine", "ip"];
const f32 = (...xs: number[]) => new Float32Array(xs);

/** Chroma's measured example (chroma-compat §3.1), labels a=1 … e=5. */
const CHROMA_VECTORS = { 1: f32(1, 0), 2: f32(0, 1), 3: f32(3, 4), 4: f32(-2, 0), 5: f32(0.6, 0.8) };
const CHROMA_QUERY = f32(2, 1);
/** Measured on Chroma 1.0.0: [label, distance] ascending; labels in one inner array tie. */
const CHROMA_EXPECTED: Record<Space, [number[], number][]> = {
  l2: [
    [[5], 1.9999999],
    [[1], 2],
    [[2], 4],
    [[3], 10],
    [[4], 17],
  ],
  cosine: [
    [[1, 3, 5], 0.10557282],
    [[2], 0.5527864],
    [[4], 1.8944272],
  ],
  ip: [
    [[3], -9],
    [[1, 5], -1],
    [[2], 0],
    [[4], 5],
  ],
};

function fill(index: VectorIndex, vectors: Record<number, Float32Array>): void {
  const labels = Object.keys(vectors).map(Number);
  index.upsert(
    labels,
    labels.map((l) => vectors[l]!),
  );
}

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return (e as CairnError).code;
  }
  return undefined;
}

function randomVectors(seed: number, n: number, dim: number): Float32Array[] {
  const rng = createRng(seed);
  return Array.from({ length: n }, () => Float32Array.from({ length: dim }, () => rng.gaussian()));
}

/**
 * Asserts that `actual` is a correct top-k: same distances as `expected` (float32 tolerance) and each
 * returned label really is at its reported distance — robust to ties, which may come back in any order.
 */
export function expectSameTopK(
  actual: SearchResult,
  expected: SearchResult,
  trueDistance: (label: number) => number,
): void {
  expect(actual.labels.length).toBe(expected.labels.length);
  expect(new Set(actual.labels).size).toBe(actual.labels.length);
  actual.distances.forEach((d, i) => {
    const tol = 1e-5 * Math.max(1, Math.abs(d));
    expect(Math.abs(d - (expected.distances[i] as number))).toBeLessThanOrEqual(tol);
    expect(Math.abs(trueDistance(actual.labels[i] as number) - d)).toBeLessThanOrEqual(tol);
  });
}

/** Search semantics in one space: Chroma's numbers, brute-force equality, allowed sets, k. */
function searchCases(create: IndexFactory, space: Space): void {
  it("reproduces Chroma's measured distances and order", () => {
    const index = create(space, 2);
    fill(index, CHROMA_VECTORS);
    const result = index.search(CHROMA_QUERY, 10);
    let at = 0;
    for (const [labels, distance] of CHROMA_EXPECTED[space]) {
      const got = result.labels.slice(at, at + labels.length);
      expect(new Set(got)).toEqual(new Set(labels));
      for (const d of result.distances.slice(at, at + labels.length)) expect(d).toBeCloseTo(distance, 5);
      at += labels.length;
    }
    expect(result.labels.length).toBe(5);
  });

  it("matches brute force on 300 random vectors, with and without an allowed set", () => {
    const dim = 8;
    const vectors = randomVectors(11, 300, dim);
    const queries = randomVectors(12, 10, dim);
    const index = create(space, dim);
    index.upsert(
      vectors.map((_, i) => i * 3),
      vectors,
    );
    const labels = vectors.map((_, i) => i * 3);
    const allowed = new Set(labels.filter((l) => l % 7 === 0));
    const distance = distanceFn(space);
    const trueDistance = (q: Float32Array) => (label: number) => distance(q, vectors[label / 3]!);
    const truth = exactTopK({ vectors, queries, k: 10, space, labels });
    const truthAllowed = exactTopK({ vectors, queries, k: 10, space, labels, allowed });
    queries.forEach((q, i) => {
      expectSameTopK(index.search(q, 10), truth[i]!, trueDistance(q));
      expectSameTopK(index.search(q, 10, { allowed }), truthAllowed[i]!, trueDistance(q));
      expectSameTopK(index.search(q, 10, { allowed: [...allowed] }), truthAllowed[i]!, trueDistance(q));
    });
  });

  it("restricts results to allowed labels (Set, array, Uint32Array)", () => {
    const index = create(space, 2);
    fill(index, CHROMA_VECTORS);
    for (const allowed of [new Set([2, 4, 42]), [4, 2, 42, 2], Uint32Array.of(2, 4, 42)]) {
      const result = index.search(CHROMA_QUERY, 10, { allowed });
      expect(result.labels).toEqual([2, 4]);
    }
    expect(index.search(CHROMA_QUERY, 10, { allowed: [] }).labels).toEqual([]);
    expect(index.search(CHROMA_QUERY, 10, { allowed: new Set([42]) }).labels).toEqual([]);
    index.remove([2]);
    expect(index.search(CHROMA_QUERY, 10, { allowed: [2, 4] }).labels).toEqual([4]);
  });

  it("returns fewer results when k exceeds the live count, none for k = 0", () => {
    const index = create(space, 2);
    fill(index, CHROMA_VECTORS);
    index.remove([1, 2]);
    expect(index.search(CHROMA_QUERY, 1000).labels.length).toBe(3);
    expect(index.search(CHROMA_QUERY, 0)).toEqual({ labels: [], distances: [] });
    expect(index.search(CHROMA_QUERY, 2, { allowed: [3, 4, 5], ef: 1 }).labels.length).toBe(2);
  });
}

/** Writes in one space: overwrite, remove, re-add, copies, clear, growth. */
function mutationCases(create: IndexFactory, space: Space): void {
  it("overwrites, removes and re-adds labels", () => {
    const index = create(space, 2);
    fill(index, CHROMA_VECTORS);
    const distanceTo = (label: number) => index.search(CHROMA_QUERY, 1, { allowed: [label] }).distances[0];
    const expected = (v: Float32Array) => distanceFn(space)(CHROMA_QUERY, v);
    index.upsert([4], [f32(2, 1.01)]);
    expect(index.size()).toBe(5);
    expect(distanceTo(4)).toBeCloseTo(expected(f32(2, 1.01)), 5);
    expect(index.remove([4, 4, 99])).toBe(1);
    expect(index.has(4)).toBe(false);
    expect(index.size()).toBe(4);
    expect(index.search(CHROMA_QUERY, 10).labels).not.toContain(4);
    expect(index.remove([4])).toBe(0);
    index.upsert([4], [f32(-7, 3)]);
    expect(index.has(4)).toBe(true);
    expect(index.size()).toBe(5);
    expect(distanceTo(4)).toBeCloseTo(expected(f32(-7, 3)), 5);
    expect(index.search(CHROMA_QUERY, 10).labels.filter((l) => l === 4)).toEqual([4]);
  });

  it("keeps the last vector of a label repeated in one batch", () => {
    const index = create(space, 2);
    index.upsert([7, 8, 7], [f32(-1, 0), f32(0, -1), f32(2, 1)]);
    expect(index.size()).toBe(2);
    const result = index.search(CHROMA_QUERY, 2, { allowed: [7] });
    expect(result.distances[0]).toBeCloseTo(distanceFn(space)(CHROMA_QUERY, f32(2, 1)), 5);
  });

  it("copies vectors: mutating the caller's array later changes nothing", () => {
    const index = create(space, 2);
    const v = f32(2, 1);
    index.upsert([1, 2], [v, f32(-2, -1)]);
    v[0] = -2;
    v[1] = -1;
    const result = index.search(CHROMA_QUERY, 2, { allowed: [1] });
    expect(result.distances[0]).toBeCloseTo(distanceFn(space)(CHROMA_QUERY, f32(2, 1)), 5);
  });

  it("clears everything and accepts new vectors afterwards", () => {
    const index = create(space, 2);
    fill(index, CHROMA_VECTORS);
    index.clear();
    expect(index.size()).toBe(0);
    expect(index.has(1)).toBe(false);
    expect(index.search(CHROMA_QUERY, 3).labels).toEqual([]);
    index.upsert([1], [f32(1, 1)]);
    expect(index.search(CHROMA_QUERY, 3).labels).toEqual([1]);
  });

  it("grows past its initial capacity", () => {
    const index = create(space, 4);
    const vectors = randomVectors(5, 2500, 4);
    for (let start = 0; start < vectors.length; start += 700) {
      const batch = vectors.slice(start, start + 700);
      index.upsert(
        batch.map((_, i) => start + i),
        batch,
      );
    }
    expect(index.size()).toBe(2500);
    const self = index.search(vectors[1234]!, 1, { allowed: [1234] });
    expect(self.distances[0]).toBeCloseTo(distanceFn(space)(vectors[1234]!, vectors[1234]!), 5);
    // Under ip a longer vector can beat the point itself; under l2 and cosine it is its own neighbour.
    if (space !== "ip") expect(index.search(vectors[1234]!, 1, { ef: 200 }).labels).toEqual([1234]);
  });
}

/** Registers the conformance cases for one implementation. */
export function describeVectorIndex(name: string, create: IndexFactory): void {
  describe(`VectorIndex conformance: ${name}`, () => {
    it("starts empty and answers searches with nothing", () => {
      const index = create("l2", 3);
      expect(index.size()).toBe(0);
      expect(index.has(0)).toBe(false);
      expect(index.search(f32(1, 2, 3), 5)).toEqual({ labels: [], distances: [] });
      expect(index.space).toBe("l2");
      expect(index.dimension).toBe(3);
    });

    for (const space of SPACES) {
      describe(`space ${space}`, () => {
        searchCases(create, space);
        mutationCases(create, space);
      });
    }

    it("gives distance 1 to zero vectors under cosine", () => {
      const index = create("cosine", 2);
      index.upsert([1, 2], [f32(0, 0), f32(1, 0)]);
      const result = index.search(f32(0, 1), 2);
      expect(new Set(result.labels)).toEqual(new Set([1, 2]));
      expect(result.distances).toEqual([1, 1]);
      expect(index.search(f32(0, 0), 2).distances).toEqual([1, 1]);
    });

    it("rejects bad input before changing anything", () => {
      const index = create("l2", 2);
      index.upsert([1], [f32(1, 1)]);
      expect(codeOf(() => index.upsert([2, 3], [f32(1, 1), f32(1, 1, 1)]))).toBe("DIMENSION_MISMATCH");
      expect(codeOf(() => index.upsert([2, -1], [f32(1, 1), f32(1, 1)]))).toBe("INVALID_ARGUMENT");
      expect(codeOf(() => index.upsert([2.5], [f32(1, 1)]))).toBe("INVALID_ARGUMENT");
      expect(codeOf(() => index.upsert([2 ** 32], [f32(1, 1)]))).toBe("INVALID_ARGUMENT");
      expect(codeOf(() => index.upsert([2, 3], [f32(1, 1)]))).toBe("INVALID_ARGUMENT");
      expect(codeOf(() => index.upsert([2], [[1, 1] as unknown as Float32Array]))).toBe("INVALID_ARGUMENT");
      expect(index.size()).toBe(1);
      expect(index.has(2)).toBe(false);
      expect(codeOf(() => index.search(f32(1, 1, 1), 1))).toBe("DIMENSION_MISMATCH");
      expect(codeOf(() => index.search(f32(1, 1), -1))).toBe("INVALID_ARGUMENT");
      expect(codeOf(() => index.search(f32(1, 1), 1.5))).toBe("INVALID_ARGUMENT");
      expect(codeOf(() => index.upsert([2 ** 32 - 1], [f32(5, 5)]))).toBeUndefined();
      expect(index.search(f32(1, 1), 1).labels).toEqual([1]);
      // The largest label survives the trip through hnswlib-node's Uint32 conversion.
      expect(index.search(f32(5, 5), 1).labels).toEqual([2 ** 32 - 1]);
    });
  });
}
