/** Checks and writes on plain objects (option bags, metadata, JSON data). */

/**
 * Whether a value is a plain object: a `{…}` literal, `JSON.parse` output or `Object.create(null)`; not an
 * array, class instance, Map or Date.
 */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * Sets an own, enumerable, writable property. Unlike `target[key] = value`, a key such as `__proto__` stays an
 * ordinary key and never reaches the prototype.
 */
export function setOwn(target: object, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
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
        setOwn(out, key, copy(item));
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
