import { describe, expect, it } from "vitest";
import { cosine, distanceFn, dotAt, ip, l2, normalize, squaredL2At, toSimilarity } from "../../src/distance";
import type { CairnError } from "../../src/errors";
import type { Space } from "../../src/types";

const f32 = (...xs: number[]) => new Float32Array(xs);
// chroma-compat §3.1: vectors a..e, query q, distances measured on Chroma 1.0.0.
const a = f32(1, 0);
const b = f32(0, 1);
const c = f32(3, 4);
const d = f32(-2, 0);
const e = f32(0.6, 0.8);
const q = f32(2, 1);

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return (error as CairnError).code;
  }
  return undefined;
}

describe("distance kernels reproduce Chroma's measured numbers", () => {
  it("l2 is the squared Euclidean distance, in float32", () => {
    expect([a, b, c, d].map((v) => l2(q, v))).toEqual([2, 4, 10, 17]);
    // Chroma printed 1.9999999: 0.6f and 0.8f are not exact, and the sum is rounded to float32.
    expect(l2(q, e)).toBe(Math.fround(1.9999999));
    expect(l2(q, e)).toBeLessThan(2);
  });

  it("cosine is 1 − cos and ignores scale", () => {
    for (const v of [a, c, e]) expect(cosine(q, v)).toBeCloseTo(0.10557282, 7);
    expect(cosine(q, b)).toBeCloseTo(0.5527864, 7);
    expect(cosine(q, d)).toBeCloseTo(1.8944272, 7);
    expect(cosine(f32(10, 5), c)).toBe(cosine(q, c));
  });

  it("ip is 1 − dot and can be negative", () => {
    expect([c, a, b, d].map((v) => ip(q, v))).toEqual([-9, -1, 0, 5]);
    expect(ip(q, e)).toBeCloseTo(-1, 6);
  });

  it("returns float32 values", () => {
    for (const fn of [l2, ip, cosine]) {
      const v = fn(f32(0.1, 0.2, 0.3), f32(0.7, -0.5, 0.25));
      expect(Math.fround(v)).toBe(v);
    }
  });

  it("gives distance 1 when a cosine operand is a zero vector", () => {
    expect(cosine(f32(0, 0), q)).toBe(1);
    expect(cosine(q, f32(0, 0))).toBe(1);
    expect(cosine(f32(0, 0), f32(0, 0))).toBe(1);
  });

  it("rejects vectors of different lengths", () => {
    expect(codeOf(() => l2(f32(1, 2), f32(1, 2, 3)))).toBe("DIMENSION_MISMATCH");
    expect(codeOf(() => cosine(f32(1), f32(1, 2)))).toBe("DIMENSION_MISMATCH");
    expect(codeOf(() => ip(f32(1), f32()))).toBe("DIMENSION_MISMATCH");
  });

  it("packed kernels handle lengths that are not a multiple of 4 and read at an offset", () => {
    const data = f32(9, 9, 1, 2, 3, 4, 5, 9);
    const query = f32(1, 1, 1, 1, 1);
    expect(dotAt(query, data, 2)).toBe(15);
    expect(squaredL2At(query, data, 2)).toBe(0 + 1 + 4 + 9 + 16);
  });
});

describe("distanceFn", () => {
  it("maps each space to its kernel", () => {
    expect(distanceFn("l2")).toBe(l2);
    expect(distanceFn("cosine")).toBe(cosine);
    expect(distanceFn("ip")).toBe(ip);
    expect(codeOf(() => distanceFn("dot" as Space))).toBe("INVALID_ARGUMENT");
  });
});

describe("normalize", () => {
  it("returns a unit vector without touching its input", () => {
    const out = normalize(c);
    expect(Array.from(out)).toEqual([Math.fround(0.6), Math.fround(0.8)]);
    expect(Array.from(c)).toEqual([3, 4]);
  });

  it("writes into `out`, including in place, and keeps zero vectors zero", () => {
    const v = f32(0, 5);
    expect(normalize(v, v)).toBe(v);
    expect(Array.from(v)).toEqual([0, 1]);
    const out = f32(7, 7);
    expect(Array.from(normalize(f32(0, 0), out))).toEqual([0, 0]);
    expect(codeOf(() => normalize(v, f32(1, 2, 3)))).toBe("DIMENSION_MISMATCH");
  });
});

describe("toSimilarity", () => {
  it("turns distances into higher-is-better scores", () => {
    expect(toSimilarity("cosine", 0.25)).toBe(0.75);
    expect(toSimilarity("cosine", 2)).toBe(-1);
    expect(toSimilarity("ip", -9)).toBe(10);
    expect(toSimilarity("l2", 0)).toBe(1);
    expect(toSimilarity("l2", 3)).toBe(0.25);
    expect(codeOf(() => toSimilarity("nope" as Space, 1))).toBe("INVALID_ARGUMENT");
  });

  it("preserves the ranking of distances in every space", () => {
    for (const space of ["l2", "cosine", "ip"] as const) {
      const distances = [a, b, c, d, e].map((v) => distanceFn(space)(q, v)).sort((x, y) => x - y);
      const scores = distances.map((dist) => toSimilarity(space, dist));
      expect([...scores].sort((x, y) => y - x)).toEqual(scores);
    }
  });
});
