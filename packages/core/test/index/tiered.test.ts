import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { CairnError } from "../../src/errors";
import { TieredIndex } from "../../src/index/index";
import { createRng } from "../../../testing/src/datasets";

const DIM = 8;

function randomVectors(seed: number, n: number): Float32Array[] {
  const rng = createRng(seed);
  return Array.from({ length: n }, () => Float32Array.from({ length: DIM }, () => rng.gaussian()));
}

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe("TieredIndex", () => {
  it("buffers writes and flushes them into HNSW in one batch at batchSize", () => {
    const index = new TieredIndex({ space: "l2", dimension: DIM, batchSize: 10 });
    const vectors = randomVectors(1, 25);
    index.upsert(
      vectors.slice(0, 9).map((_, i) => i),
      vectors.slice(0, 9),
    );
    expect(index.pending()).toBe(9);
    expect(index.main.size()).toBe(0);
    index.upsert([9], [vectors[9]!]);
    expect(index.pending()).toBe(0);
    expect(index.main.size()).toBe(10);
    index.upsert(
      vectors.slice(10).map((_, i) => 10 + i),
      vectors.slice(10),
    );
    expect(index.pending()).toBe(0);
    expect(index.size()).toBe(25);
    index.upsert([100], [vectors[0]!]);
    index.flush();
    index.flush();
    expect(index.pending()).toBe(0);
    expect(index.main.size()).toBe(26);
  });

  it("applies a new batch size at once, and passes resizeFactor to HNSW", () => {
    const index = new TieredIndex({ space: "l2", dimension: DIM, batchSize: 50, initialCapacity: 10 });
    const vectors = randomVectors(6, 20);
    index.upsert(
      vectors.map((_, i) => i),
      vectors,
    );
    expect(index.pending()).toBe(20);
    index.setBatchSize(30);
    expect(index.pending()).toBe(20);
    index.setBatchSize(20);
    expect(index.pending()).toBe(0);
    expect(index.batchSize).toBe(20);
    index.setResizeFactor(3);
    expect(index.main.params.resizeFactor).toBe(3);
  });

  it("moves an overwritten HNSW label to the buffer without a stale duplicate, then revives it in place", () => {
    const index = new TieredIndex({ space: "l2", dimension: 2, batchSize: 3 });
    const f32 = (...xs: number[]) => new Float32Array(xs);
    index.upsert([1, 2, 3], [f32(0, 0), f32(1, 0), f32(2, 0)]);
    expect(index.main.size()).toBe(3);
    index.upsert([1], [f32(10, 0)]);
    expect(index.pending()).toBe(1);
    expect(index.main.deletedLabels()).toEqual([1]);
    expect(index.size()).toBe(3);
    expect(index.search(f32(0, 0), 10)).toEqual({ labels: [2, 3, 1], distances: [1, 4, 100] });
    index.flush();
    expect(index.main.stats()).toMatchObject({ live: 3, deleted: 0 });
    expect(index.search(f32(0, 0), 10)).toEqual({ labels: [2, 3, 1], distances: [1, 4, 100] });
  });

  it("removes from whichever tier holds the label", () => {
    const index = new TieredIndex({ space: "ip", dimension: DIM, batchSize: 5 });
    const vectors = randomVectors(2, 7);
    index.upsert(
      vectors.slice(0, 5).map((_, i) => i),
      vectors.slice(0, 5),
    );
    index.upsert([5, 6], vectors.slice(5));
    expect(index.main.size()).toBe(5);
    expect(index.pending()).toBe(2);
    expect(index.remove([0, 6, 99])).toBe(2);
    expect(index.has(0)).toBe(false);
    expect(index.has(6)).toBe(false);
    expect(index.size()).toBe(5);
    expect(index.search(vectors[0]!, 10).labels.sort()).toEqual([1, 2, 3, 4, 5]);
  });

  it("passes ef and allowed sets to both tiers", () => {
    const index = new TieredIndex({ space: "cosine", dimension: DIM, batchSize: 50 });
    const vectors = randomVectors(3, 80);
    index.upsert(
      vectors.map((_, i) => i),
      vectors,
    );
    const allowed = [3, 60, 61, 1000];
    const result = index.search(vectors[60]!, 10, { allowed, ef: 5 });
    expect(result.labels.sort((a, b) => a - b)).toEqual([3, 60, 61]);
    index.setEf(7);
    expect(index.main.params.efSearch).toBe(7);
    expect(index.search(vectors[3]!, 3, { allowed: [] }).labels).toEqual([]);
  });

  it("validates batchSize and input before touching either tier", () => {
    const code = (fn: () => unknown) => {
      try {
        fn();
      } catch (error) {
        return (error as CairnError).code;
      }
      return undefined;
    };
    expect(code(() => new TieredIndex({ space: "l2", dimension: 2, batchSize: 0 }))).toBe("INVALID_ARGUMENT");
    expect(new TieredIndex({ space: "l2", dimension: 2 }).batchSize).toBe(100);
    const index = new TieredIndex({ space: "l2", dimension: 2, batchSize: 1 });
    index.upsert([1], [new Float32Array([1, 1])]);
    expect(code(() => index.upsert([1, 2], [new Float32Array([1, 1]), new Float32Array(3)]))).toBe(
      "DIMENSION_MISMATCH",
    );
    // The failed batch must not have tombstoned label 1 in HNSW.
    expect(index.main.has(1)).toBe(true);
    expect(index.size()).toBe(1);
  });

  it("save flushes first, so a reload holds every write; load returns the watermark", () => {
    const dir = mkdtempSync(join(tmpdir(), "cairn-tiered-"));
    dirs.push(dir);
    const index = new TieredIndex({ space: "cosine", dimension: DIM, batchSize: 100 });
    const vectors = randomVectors(4, 150);
    index.upsert(
      vectors.map((_, i) => i),
      vectors,
    );
    index.upsert([5], [vectors[149]!]);
    expect(index.pending()).toBeGreaterThan(0);
    index.save(dir, { watermark: 7 });
    expect(index.pending()).toBe(0);
    const loaded = TieredIndex.load(dir, { space: "cosine", dimension: DIM, batchSize: 100 })!;
    expect(loaded.watermark).toBe(7);
    expect(loaded.index.size()).toBe(150);
    expect(loaded.index.pending()).toBe(0);
    expect(loaded.index.batchSize).toBe(100);
    for (const q of randomVectors(5, 10)) expect(loaded.index.search(q, 10)).toEqual(index.search(q, 10));
    expect(TieredIndex.load(dir, { space: "l2", dimension: DIM })).toBeNull();
  });
});
