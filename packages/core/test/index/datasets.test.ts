/** The shared dataset generator (packages/testing) that the recall test and the benchmarks rely on. */
import { describe, expect, it } from "vitest";
import { clusteredDataset, createRng, exactTopK, recallAtK } from "../../../testing/src/datasets";

const dot = (a: Float32Array, b: Float32Array) => a.reduce((sum, x, i) => sum + x * (b[i] as number), 0);

describe("createRng", () => {
  it("is deterministic per seed and roughly standard normal", () => {
    const a = createRng(7);
    const b = createRng(7);
    const xs = Array.from({ length: 20_000 }, () => a.gaussian());
    expect(Array.from({ length: 20_000 }, () => b.gaussian())).toEqual(xs);
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    const variance = xs.reduce((s, x) => s + (x - mean) ** 2, 0) / xs.length;
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(Math.abs(variance - 1)).toBeLessThan(0.05);
    expect(createRng(8).next()).not.toBe(createRng(7).next());
    const ints = Array.from({ length: 1000 }, () => a.int(5));
    expect(new Set(ints)).toEqual(new Set([0, 1, 2, 3, 4]));
  });
});

describe("clusteredDataset", () => {
  // 20 clusters × ~100 points each: the same density as the 10k / 100-cluster recall set, at 1/5 the cost.
  const ds = clusteredDataset({ n: 2000, dim: 384, clusters: 20, queries: 50, seed: 3 });

  it("is deterministic and L2-normalised", () => {
    const again = clusteredDataset({ n: 2000, dim: 384, clusters: 20, queries: 50, seed: 3 });
    expect(again.vectors[1999]).toEqual(ds.vectors[1999]);
    expect(again.queries[49]).toEqual(ds.queries[49]);
    expect(clusteredDataset({ n: 10, dim: 8, seed: 4 }).vectors[0]).not.toEqual(
      clusteredDataset({ n: 10, dim: 8, seed: 5 }).vectors[0],
    );
    for (const v of [...ds.vectors.slice(0, 50), ...ds.queries]) expect(dot(v, v)).toBeCloseTo(1, 5);
    expect(ds.vectors).toHaveLength(2000);
    expect(ds.vectors[0]).toHaveLength(384);
  });

  it("looks like sentence embeddings: nearest neighbour cosine ≈ 0.7, unrelated pairs ≈ 0", () => {
    const truth = exactTopK({ vectors: ds.vectors, queries: ds.queries, k: 1 });
    const nn = truth.reduce((s, t) => s + 1 - (t.distances[0] as number), 0) / truth.length;
    expect(nn).toBeGreaterThan(0.6);
    expect(nn).toBeLessThan(0.8);
    let cross = 0;
    let pairs = 0;
    for (let i = 0; i < 500; i++) {
      const a = (i * 7919) % 2000;
      const b = (i * 104_729 + 13) % 2000;
      if (ds.clusterOf[a] === ds.clusterOf[b]) continue;
      cross += dot(ds.vectors[a]!, ds.vectors[b]!);
      pairs++;
    }
    expect(Math.abs(cross / pairs)).toBeLessThan(0.02);
  });
});

describe("exactTopK and recallAtK", () => {
  const f32 = (...xs: number[]) => new Float32Array(xs);
  const vectors = [f32(1, 0), f32(0, 1), f32(3, 4), f32(-2, 0), f32(0.6, 0.8)];

  it("ranks ascending with ties by label, honours labels and allowed", () => {
    const [r] = exactTopK({
      vectors,
      queries: [f32(2, 1)],
      k: 5,
      space: "cosine",
      labels: [10, 20, 30, 40, 50],
    });
    // a and c tie exactly (smaller label first); e = (0.6f, 0.8f) is a float32 hair closer than both.
    expect(r!.labels).toEqual([50, 10, 30, 20, 40]);
    const [tie] = exactTopK({
      vectors: [f32(0, 1), f32(1, 0)],
      queries: [f32(0, 0)],
      k: 2,
      space: "l2",
      labels: [7, 3],
    });
    expect(tie).toEqual({ labels: [3, 7], distances: [1, 1] });
    const [l2] = exactTopK({ vectors, queries: [f32(2, 1)], k: 2, space: "l2", allowed: new Set([1, 3]) });
    expect(l2).toEqual({ labels: [1, 3], distances: [4, 17] });
    const [ip] = exactTopK({ vectors, queries: [f32(2, 1)], k: 1, space: "ip" });
    expect(ip!.labels).toEqual([2]);
  });

  it("pools recall over queries", () => {
    const truth = [
      { labels: [1, 2], distances: [0, 1] },
      { labels: [3, 4], distances: [0, 1] },
    ];
    expect(recallAtK([{ labels: [2, 1] }, { labels: [3, 9] }], truth, 2)).toBe(0.75);
    expect(recallAtK([], [], 2)).toBe(1);
  });
});
