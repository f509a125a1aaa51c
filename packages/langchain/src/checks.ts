/**
 * Small pure helpers of `CairnVectorStore`: input checks, id precedence and filter normalisation.
 */
import { type Collection, DimensionMismatchError, invalidArgument } from "@cairndb/core";

/** Treats `undefined`, `null` and `{}` as "no filter" (an empty `where` is not a valid Cairn filter). */
export function presentFilter<T extends object>(filter: T | null | undefined): T | undefined {
  return filter && Object.keys(filter).length > 0 ? filter : undefined;
}

/** A usable id (a non-empty string), or undefined so the next source of ids is tried. */
export function pickId(value: unknown): string | undefined {
  return typeof value === "string" && value.length > 0 ? value : undefined;
}

/** Throws unless `vector` is an array of `expected` numbers (any length when `expected` is undefined). */
export function checkVector(vector: unknown, expected: number | undefined, path: string): void {
  if (!Array.isArray(vector)) throw invalidArgument(path, "expected an array of numbers");
  if (expected !== undefined && vector.length !== expected) {
    throw new DimensionMismatchError(
      "DIMENSION_MISMATCH",
      `${path}: expected ${expected} dimensions (numDimensions), got ${vector.length}`,
      { details: { path, expected, actual: vector.length } },
    );
  }
}

/** Throws when an existing collection's dimension contradicts `numDimensions`. */
export function checkCollectionDimension(collection: Collection, expected: number | undefined): Collection {
  if (expected !== undefined && collection.dimension !== null && collection.dimension !== expected) {
    throw new DimensionMismatchError(
      "DIMENSION_MISMATCH",
      `collection '${collection.name}' holds ${collection.dimension}-dimensional vectors, but numDimensions is ${expected}`,
      { details: { collection: collection.name, expected, actual: collection.dimension } },
    );
  }
  return collection;
}
