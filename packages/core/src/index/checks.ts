/**
 * Input checks shared by the index implementations. Each throws a `CairnError` with a JSON-ish path so
 * the engine can surface it unchanged.
 */
import { DimensionMismatchError, invalidArgument } from "../errors";
import type { AllowedLabels } from "./types";

/** Largest label: hnswlib-node passes labels through `Uint32Value`, so larger ones would silently wrap. */
export const MAX_LABEL = 0xffff_ffff;

/** Throws unless `label` is an integer in [0, 2³²). */
export function checkLabel(label: number, path: string): void {
  if (!Number.isInteger(label) || label < 0 || label > MAX_LABEL) {
    throw invalidArgument(path, `expected an integer label in [0, ${MAX_LABEL}], got ${String(label)}`);
  }
}

/** Throws unless `vector` is a Float32Array of length `dimension`. */
export function checkVector(vector: unknown, dimension: number, path: string): void {
  if (!(vector instanceof Float32Array)) {
    throw invalidArgument(path, "expected a Float32Array");
  }
  if (vector.length !== dimension) {
    throw new DimensionMismatchError(
      "DIMENSION_MISMATCH",
      `${path}: expected a vector of dimension ${dimension}, got ${vector.length}`,
      { details: { path, expected: dimension, actual: vector.length } },
    );
  }
}

/** Validates a whole upsert batch before anything is written. */
export function checkBatch(
  labels: ArrayLike<number>,
  vectors: readonly Float32Array[],
  dimension: number,
): void {
  if (labels.length !== vectors.length) {
    throw invalidArgument(
      "vectors",
      `expected ${labels.length} vectors (one per label), got ${vectors.length}`,
    );
  }
  for (let i = 0; i < labels.length; i++) {
    checkLabel(labels[i] as number, `labels[${i}]`);
    checkVector(vectors[i], dimension, `vectors[${i}]`);
  }
}

/** Validates a search call's query and k. */
export function checkQuery(query: Float32Array, k: number, dimension: number): void {
  checkVector(query, dimension, "query");
  if (!Number.isInteger(k) || k < 0) {
    throw invalidArgument("k", `expected a non-negative integer, got ${String(k)}`);
  }
}

/** Validates an `ef` value (search breadth). */
export function checkEf(ef: number, path: string): void {
  if (!Number.isInteger(ef) || ef < 1) {
    throw invalidArgument(path, `expected a positive integer, got ${String(ef)}`);
  }
}

/** Validates creation parameters shared by every index. */
export function checkDimension(dimension: number): void {
  if (!Number.isInteger(dimension) || dimension < 1) {
    throw invalidArgument("dimension", `expected a positive integer, got ${String(dimension)}`);
  }
}

/**
 * The allowed labels as a Set: a Set is used as is, arrays are copied once (O(m), drops duplicates). Its
 * `size` may count labels the index does not hold, so it is an upper bound on the matches.
 */
export function allowedSet(allowed: AllowedLabels): ReadonlySet<number> {
  if (allowed instanceof Set) return allowed;
  return new Set(allowed as Iterable<number>);
}
