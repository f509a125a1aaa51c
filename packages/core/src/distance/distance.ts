/**
 * Distance kernels over float32 vectors, and the one conversion from a raw distance to a score.
 *
 * Definitions match Chroma (and hnswlib): `l2` is the squared Euclidean distance, `cosine` is 1 − cos and
 * `ip` is 1 − dot. Sums are accumulated in float64 and the result is rounded to float32, so values agree
 * with Chroma's (e.g. `1.9999999`) and with hnswlib's to within a float32 ulp or two.
 */
import { DimensionMismatchError, InvalidArgumentError } from "../errors";
import type { Space } from "../types";

/** A distance between two vectors of the same length; lower is closer. */
export type DistanceFn = (a: Float32Array, b: Float32Array) => number;

function checkSameLength(a: Float32Array, b: Float32Array): void {
  if (a.length !== b.length) {
    throw new DimensionMismatchError(
      "DIMENSION_MISMATCH",
      `vectors have different dimensions: ${a.length} and ${b.length}`,
      { details: { expected: a.length, actual: b.length } },
    );
  }
}

/**
 * Dot product of `query` with the `query.length` floats of `data` starting at `offset` (no allocation,
 * no checks: the caller guarantees the range). Used by indexes that pack vectors into one buffer.
 */
export function dotAt(query: Float32Array, data: Float32Array, offset: number): number {
  const dim = query.length;
  // Four accumulators break the add dependency chain; V8 then keeps the loop in registers.
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let i = 0;
  for (; i + 3 < dim; i += 4) {
    const o = offset + i;
    s0 += (query[i] as number) * (data[o] as number);
    s1 += (query[i + 1] as number) * (data[o + 1] as number);
    s2 += (query[i + 2] as number) * (data[o + 2] as number);
    s3 += (query[i + 3] as number) * (data[o + 3] as number);
  }
  for (; i < dim; i++) s0 += (query[i] as number) * (data[offset + i] as number);
  return s0 + s1 + s2 + s3;
}

/**
 * Squared Euclidean distance between `query` and the `query.length` floats of `data` at `offset`
 * (no allocation, no checks). Not rounded to float32.
 */
export function squaredL2At(query: Float32Array, data: Float32Array, offset: number): number {
  const dim = query.length;
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let i = 0;
  for (; i + 3 < dim; i += 4) {
    const o = offset + i;
    const d0 = (query[i] as number) - (data[o] as number);
    const d1 = (query[i + 1] as number) - (data[o + 1] as number);
    const d2 = (query[i + 2] as number) - (data[o + 2] as number);
    const d3 = (query[i + 3] as number) - (data[o + 3] as number);
    s0 += d0 * d0;
    s1 += d1 * d1;
    s2 += d2 * d2;
    s3 += d3 * d3;
  }
  for (; i < dim; i++) {
    const d = (query[i] as number) - (data[offset + i] as number);
    s0 += d * d;
  }
  return s0 + s1 + s2 + s3;
}

/**
 * Squared Euclidean distance Σ(aᵢ − bᵢ)², rounded to float32 (Chroma's `l2`; no square root).
 * @throws DimensionMismatchError when the lengths differ.
 */
export function l2(a: Float32Array, b: Float32Array): number {
  checkSameLength(a, b);
  return Math.fround(squaredL2At(a, b, 0));
}

/**
 * Inner-product distance 1 − a·b, rounded to float32 (Chroma's `ip`; negative when a·b > 1).
 * @throws DimensionMismatchError when the lengths differ.
 */
export function ip(a: Float32Array, b: Float32Array): number {
  checkSameLength(a, b);
  return Math.fround(1 - dotAt(a, b, 0));
}

/**
 * Cosine distance 1 − a·b / (‖a‖‖b‖), in [0, 2], rounded to float32. Both vectors are normalised, so
 * scale does not matter. If either vector is all zeros the distance is 1 (no direction, like hnswlib,
 * which leaves zero vectors unnormalised and so computes 1 − 0).
 * @throws DimensionMismatchError when the lengths differ.
 */
export function cosine(a: Float32Array, b: Float32Array): number {
  checkSameLength(a, b);
  const na = dotAt(a, a, 0);
  const nb = dotAt(b, b, 0);
  if (na === 0 || nb === 0) return 1;
  return Math.fround(1 - dotAt(a, b, 0) / Math.sqrt(na * nb));
}

/**
 * The distance function of a space.
 * @throws InvalidArgumentError for an unknown space.
 */
export function distanceFn(space: Space): DistanceFn {
  switch (space) {
    case "l2":
      return l2;
    case "cosine":
      return cosine;
    case "ip":
      return ip;
    default:
      throw unknownSpace(space);
  }
}

/**
 * Scales `v` to unit length. Writes into `out` (which may be `v` itself) or into a new array; never
 * mutates `v` unless `out === v`. A zero vector stays zero.
 * @throws DimensionMismatchError when `out` has a different length.
 */
export function normalize(v: Float32Array, out: Float32Array = new Float32Array(v.length)): Float32Array {
  checkSameLength(v, out);
  const norm = Math.sqrt(dotAt(v, v, 0));
  if (norm === 0) {
    if (out !== v) out.fill(0);
    return out;
  }
  const inv = 1 / norm;
  for (let i = 0; i < v.length; i++) out[i] = (v[i] as number) * inv;
  return out;
}

/**
 * Converts a raw distance of `space` into a "higher is better" score. THE one place that does this; the
 * LangChain and LlamaIndex adapters report scores through it.
 * - `cosine` → 1 − d (the cosine similarity, in [−1, 1])
 * - `ip` → 1 − d (the dot product itself)
 * - `l2` → 1 / (1 + d) (in (0, 1]; 1 for identical vectors)
 * @throws InvalidArgumentError for an unknown space.
 * @example toSimilarity("cosine", 0.25) // 0.75
 */
export function toSimilarity(space: Space, distance: number): number {
  switch (space) {
    case "cosine":
    case "ip":
      return 1 - distance;
    case "l2":
      return 1 / (1 + distance);
    default:
      throw unknownSpace(space);
  }
}

function unknownSpace(space: never): InvalidArgumentError {
  return new InvalidArgumentError(
    "INVALID_ARGUMENT",
    `space: expected "l2" | "cosine" | "ip", got ${JSON.stringify(space)}`,
    {
      details: { path: "space", value: space },
    },
  );
}
