import { InvalidArgumentError } from "../errors";

/** Levenshtein distance, for "did you mean" hints on misspelt option keys. */
function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length]!;
}

/**
 * Rejects keys of an options object that the verb does not know, with a "did you mean" hint.
 * @throws InvalidArgumentError code `UNKNOWN_OPTION`
 */
export function rejectUnknownKeys(value: object, known: readonly string[], path: string): void {
  for (const key of Object.keys(value)) {
    if (known.includes(key)) continue;
    const best = known
      .map((k) => ({ k, d: editDistance(key.toLowerCase(), k.toLowerCase()) }))
      .sort((x, y) => x.d - y.d)[0];
    const hint =
      best && best.d <= Math.max(2, Math.floor(key.length / 3)) ? ` Did you mean "${best.k}"?` : "";
    throw new InvalidArgumentError(
      "UNKNOWN_OPTION",
      `${path}: unknown option "${key}".${hint} Known options: ${known.join(", ")}.`,
      { details: { path, key } },
    );
  }
}

/** Checks that a value is a plain object (an options bag). */
export function expectOptionsObject(value: unknown, path: string): Record<string, unknown> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new InvalidArgumentError(
      "INVALID_ARGUMENT",
      `${path}: expected an options object, got ${value === null ? "null" : Array.isArray(value) ? "an array" : typeof value}`,
      {
        details: { path },
      },
    );
  }
  return value as Record<string, unknown>;
}

/**
 * A short description of any value for error messages, in bounded time: strings are quoted and shortened,
 * objects and arrays are named, never walked (a hostile value may be huge, cyclic, or share sub-objects
 * so that walking it takes exponential time).
 * @example describeValue([1, 2]) // "an array of 2"
 */
export function describeValue(value: unknown): string {
  switch (typeof value) {
    case "string":
      return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
    case "bigint":
      return `${value}n`;
    case "symbol":
      return "a symbol";
    case "function":
      return "a function";
    case "object": {
      if (value === null) return "null";
      if (Array.isArray(value)) return `an array of ${value.length}`;
      const proto: unknown = Object.getPrototypeOf(value);
      if (proto === Object.prototype || proto === null) return "an object";
      const name = (proto as { constructor?: { name?: unknown } }).constructor?.name;
      if (typeof name === "string" && name !== "") return `an instance of ${name}`;
      return "an object with a custom prototype";
    }
    default:
      return String(value);
  }
}

/** Largest number of values {@link copyJson} copies before giving up. */
const JSON_COPY_BUDGET = 100_000;

/**
 * A deep copy of plain JSON data (objects, arrays, strings, finite numbers, booleans, null), in bounded time;
 * `undefined` properties are dropped, as `JSON.stringify` would. Returns null when `value` holds anything
 * else (a bigint, a function, a class instance, a cycle, a non-finite number) or more than 100,000 values.
 * @example copyJson({ a: [1, "x"] }) // { value: { a: [1, "x"] } }
 */
export function copyJson(value: unknown): { value: unknown } | null {
  let budget = JSON_COPY_BUDGET;
  const onPath = new Set<object>();
  const copy = (v: unknown): unknown => {
    if (--budget < 0) throw new RangeError("too large");
    if (v === null || typeof v === "string" || typeof v === "boolean") return v;
    if (typeof v === "number") {
      if (!Number.isFinite(v)) throw new TypeError("not finite");
      return v;
    }
    if (typeof v !== "object") throw new TypeError("not JSON");
    const proto: unknown = Object.getPrototypeOf(v);
    if (!Array.isArray(v) && proto !== Object.prototype && proto !== null) throw new TypeError("not plain");
    if (onPath.has(v)) throw new TypeError("cycle");
    onPath.add(v);
    try {
      if (Array.isArray(v)) {
        if (v.length > budget) throw new RangeError("too large");
        return Array.from({ length: v.length }, (_, i) => (v[i] === undefined ? null : copy(v[i])));
      }
      const out: Record<string, unknown> = {};
      for (const key of Object.keys(v)) {
        const item = (v as Record<string, unknown>)[key];
        if (item === undefined) continue;
        const property = { value: copy(item), enumerable: true, writable: true, configurable: true };
        Object.defineProperty(out, key, property);
      }
      return out;
    } finally {
      onPath.delete(v);
    }
  };
  try {
    return { value: copy(value) };
  } catch {
    return null;
  }
}

/** Whether a value is a plain object (not an array, class instance, Map, Date …). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
