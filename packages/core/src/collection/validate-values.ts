/**
 * Pure validators for ids, vectors and metadata values. Each throws an `InvalidArgumentError` whose message
 * starts with the JSON path of the offending value.
 */
import { describeValue, isPlainObject, setOwn, truncate } from "../internal";
import { DimensionMismatchError, InvalidArgumentError, invalidArgument } from "../errors";
import type { CollectionMetadata, MetadataValue } from "../types";

const SURROGATE = /[\uD800-\uDFFF]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Throws unless `text` is well-formed Unicode. A lone UTF-16 surrogate cannot be stored as UTF-8: SQLite
 * would keep U+FFFD instead, so the value would silently change (and an id would stop matching itself).
 * Chroma's server rejects such strings too (they are not valid JSON text for it).
 */
export function expectWellFormed(text: string, path: string): void {
  if (SURROGATE.test(text) && LONE_SURROGATE.test(text)) {
    throw invalidArgument(
      path,
      "contains a lone UTF-16 surrogate (not valid Unicode): fix the string's encoding",
    );
  }
}

/** Expects an array; returns it. */
export function expectArray(value: unknown, path: string): unknown[] {
  if (!Array.isArray(value)) throw invalidArgument(path, `expected an array, got ${describeValue(value)}`);
  return value;
}

/** Validates a list of record ids: non-empty strings, unique. */
export function validateIds(value: unknown, path = "ids"): string[] {
  const ids = expectArray(value, path);
  const seen = new Set<string>();
  const duplicates = new Set<string>();
  ids.forEach((id, i) => {
    if (typeof id !== "string")
      throw invalidArgument(`${path}[${i}]`, `expected a string id, got ${describeValue(id)}`);
    if (id.length === 0) throw invalidArgument(`${path}[${i}]`, "ids must be non-empty strings");
    expectWellFormed(id, `${path}[${i}]`);
    if (seen.has(id)) duplicates.add(id);
    seen.add(id);
  });
  if (duplicates.size > 0) {
    const list = [...duplicates].slice(0, 10).map((d) => JSON.stringify(truncate(d, 60)));
    throw new InvalidArgumentError(
      "INVALID_ARGUMENT",
      `${path}: ids must be unique within a call; duplicated: ${list.join(", ")}`,
      {
        details: { path, duplicates: [...duplicates].slice(0, 100) },
      },
    );
  }
  return ids as string[];
}

/** Validates one vector: a non-empty array (or Float32Array) of finite numbers. Returns a Float32Array copy. */
export function validateVector(value: unknown, path: string): Float32Array {
  if (value instanceof Float32Array) {
    if (value.length === 0) throw invalidArgument(path, "expected a non-empty vector");
    for (let j = 0; j < value.length; j++) {
      if (!Number.isFinite(value[j]))
        throw invalidArgument(`${path}[${j}]`, `expected a finite number, got ${value[j]}`);
    }
    return Float32Array.from(value);
  }
  if (!Array.isArray(value) && !ArrayBuffer.isView(value)) {
    throw invalidArgument(path, `expected an array of numbers, got ${describeValue(value)}`);
  }
  const arr = value as ArrayLike<unknown>;
  if (arr.length === 0) throw invalidArgument(path, "expected a non-empty vector");
  const out = new Float32Array(arr.length);
  for (let j = 0; j < arr.length; j++) {
    const x = arr[j];
    if (typeof x !== "number" || !Number.isFinite(x)) {
      throw invalidArgument(`${path}[${j}]`, `expected a finite number, got ${describeValue(x)}`);
    }
    out[j] = x;
  }
  return out;
}

/** Validates a list of vectors of one dimension. */
export function validateVectors(value: unknown, path: string): Float32Array[] {
  return sameDimension(
    expectArray(value, path).map((v, i) => validateVector(v, `${path}[${i}]`)),
    path,
  ) as Float32Array[];
}

/**
 * Validates a list of vectors of one dimension where `null` entries are allowed (update: "no new vector for
 * this record"). `undefined` entries count as `null`.
 */
export function validateVectorsWithHoles(value: unknown, path: string): (Float32Array | null)[] {
  return sameDimension(
    expectArray(value, path).map((v, i) => (v == null ? null : validateVector(v, `${path}[${i}]`))),
    path,
  );
}

function sameDimension(vectors: (Float32Array | null)[], path: string): (Float32Array | null)[] {
  const first = vectors.findIndex((v) => v !== null);
  const dim = vectors[first]?.length;
  vectors.forEach((v, i) => {
    if (v !== null && v.length !== dim) {
      throw new DimensionMismatchError(
        "DIMENSION_MISMATCH",
        `${path}[${i}]: every vector of a call must have the same dimension; ${path}[${first}] has ${dim}, ${path}[${i}] has ${v.length}`,
        { details: { path: `${path}[${i}]`, expected: dim, got: v.length } },
      );
    }
  });
  return vectors;
}

function validateKey(key: string, path: string): void {
  if (key.length === 0) throw invalidArgument(path, "metadata keys must be non-empty");
  expectWellFormed(key, `${path}[${JSON.stringify(key.slice(0, 40))}]`);
  if (key.startsWith("$") || key.startsWith("#")) {
    throw invalidArgument(
      `${path}.${key}`,
      "metadata keys cannot start with '$' or '#' (reserved for filter operators)",
    );
  }
}

function validateScalar(value: unknown, path: string): void {
  const ok =
    typeof value === "string" ||
    typeof value === "boolean" ||
    (typeof value === "number" && Number.isFinite(value));
  if (!ok) throw invalidArgument(path, `expected string | number | boolean, got ${describeValue(value)}`);
  if (typeof value === "string") expectWellFormed(value, path);
}

/** Validates a metadata value (scalar or homogeneous non-empty array). */
export function validateMetadataValue(value: unknown, path: string): MetadataValue {
  if (Array.isArray(value)) {
    if (value.length === 0) throw invalidArgument(path, "arrays must be non-empty (omit the key instead)");
    const kind = typeof value[0];
    value.forEach((item, i) => {
      validateScalar(item, `${path}[${i}]`);
      if (typeof item !== kind) {
        throw invalidArgument(
          `${path}[${i}]`,
          `arrays must hold one type; ${path}[0] is ${kind}, this is ${typeof item}`,
        );
      }
    });
    return value as MetadataValue;
  }
  validateScalar(value, path);
  return value as MetadataValue;
}

/**
 * Validates record metadata. `allowNull` (update/upsert): a `null` value deletes that key.
 * Returns null for `null`/`undefined`; `{}` is returned as is (stored as no metadata).
 */
export function validateMetadata(
  value: unknown,
  path: string,
  allowNull: boolean,
): Record<string, MetadataValue | null> | null {
  if (value === null || value === undefined) return null;
  if (!isPlainObject(value)) throw invalidArgument(path, `expected an object, got ${describeValue(value)}`);
  const out: Record<string, MetadataValue | null> = {};
  for (const key of Object.keys(value)) {
    validateKey(key, path);
    const item = value[key];
    if (item === null) {
      if (!allowNull)
        throw invalidArgument(
          `${path}.${key}`,
          "null is only meaningful in update/upsert (it deletes the key); omit the key",
        );
      setOwn(out, key, null);
      continue;
    }
    if (item === undefined) continue;
    const checked = validateMetadataValue(item, `${path}.${key}`);
    // setOwn: a key named "__proto__" stays an ordinary key.
    setOwn(out, key, checked);
  }
  return out;
}

/** Validates collection metadata: scalars only. `null` values are allowed where `allowNull` (modify). */
export function validateCollectionMetadata(
  value: unknown,
  path = "metadata",
  allowNull = false,
): CollectionMetadata | null {
  if (value === null || value === undefined) return null;
  if (!isPlainObject(value)) throw invalidArgument(path, `expected an object, got ${describeValue(value)}`);
  const out: CollectionMetadata = {};
  for (const key of Object.keys(value)) {
    if (key.length === 0) throw invalidArgument(path, "metadata keys must be non-empty");
    expectWellFormed(key, `${path}[${JSON.stringify(key.slice(0, 40))}]`);
    const item = value[key];
    if (item === null && allowNull) continue;
    validateScalar(item, `${path}.${key}`);
    setOwn(out, key, item);
  }
  return out;
}

/** Validates a non-negative integer option, at most 2^53 − 1 (larger doubles are not exact integers). */
export function validateCount(value: unknown, path: string): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) {
    throw invalidArgument(path, `expected a non-negative integer, got ${describeValue(value)}`);
  }
  return value;
}
