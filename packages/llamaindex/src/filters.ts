/**
 * Translation of LlamaIndex `MetadataFilters` into Cairn's `where` grammar. Pure: no I/O, no store state.
 *
 * The target semantics are those of LlamaIndex.TS's reference store (`SimpleVectorStore.buildFilterFn`):
 * every operator except `is_empty` is false for a record that lacks the key, `!=` / `nin` included (Cairn's
 * own `$ne` / `$nin` match missing keys, so those two get an explicit `$exists: true`).
 */
import { InvalidArgumentError, type MetadataScalar, UnsupportedError, type Where } from "@cairndb/core";
import type { MetadataFilter, MetadataFilters } from "@llamaindex/core/vector-store";

/** A `where` clause that no record satisfies (an empty `$or`). */
const MATCH_NONE: Where = { $or: [] };

/**
 * Translates LlamaIndex `MetadataFilters` into a Cairn `where` filter.
 *
 * | LlamaIndex operator | Cairn `where` for `{ key: k, value: v }` |
 * |---|---|
 * | `==` | `{ k: { $eq: v } }` |
 * | `!=` | `{ $and: [{ k: { $exists: true } }, { k: { $ne: v } }] }` |
 * | `>` `>=` `<` `<=` | `{ k: { $gt \| $gte \| $lt \| $lte: v } }` (v a number) |
 * | `in` | `{ k: { $in: v } }` (one `$in` per value type, OR-ed; `[]` matches nothing) |
 * | `nin` | `{ $and: [{ k: { $exists: true } }, { k: { $nin: v } }] }` |
 * | `any` | `{ $or: [{ k: { $contains: v[0] } }, …] }` |
 * | `all` | `{ $and: [{ k: { $contains: v[0] } }, …] }` |
 * | `contains` | `{ k: { $contains: v } }` (array membership) |
 * | `text_match` | `{ k: { $text_contains: v } }` (substring) |
 * | `is_empty` | `{ $or: [{ k: { $exists: false } }, { k: { $eq: "" } }] }` |
 *
 * Conditions: `and` (the default) → `$and`, `or` → `$or`; a single clause is returned unwrapped. Keys are
 * Cairn metadata keys, so a dotted key (`"loc.lines.from"`) addresses flattened nested metadata.
 *
 * @param filters the filters of a `VectorStoreQuery` (or `undefined`).
 * @returns the `where` filter, or `undefined` when nothing is filtered (no filters, or an empty `and`).
 * @throws InvalidArgumentError `INVALID_FILTER` for a malformed filter (the message names `filters[i]`).
 * @throws UnsupportedError `UNSUPPORTED` for a range operator with a string value (Cairn compares numbers only).
 * @example
 * toWhere({ filters: [{ key: "year", value: 2020, operator: ">=" }, { key: "tags", value: ["geo"], operator: "any" }] })
 * // → { $and: [{ year: { $gte: 2020 } }, { tags: { $contains: "geo" } }] }
 */
export function toWhere(filters: MetadataFilters | undefined): Where | undefined {
  if (filters === undefined || filters === null) return undefined;
  if (typeof filters !== "object" || !Array.isArray(filters.filters)) {
    fail("filters", "expected { filters: MetadataFilter[], condition?: 'and' | 'or' }");
  }
  const condition = filters.condition ?? "and";
  if (condition !== "and" && condition !== "or") {
    fail("filters.condition", `expected "and" or "or", got ${JSON.stringify(condition)}`);
  }
  const clauses = filters.filters.map((filter, i) => filterToWhere(filter, `filters[${i}]`));
  if (clauses.length === 1) return clauses[0];
  if (condition === "and") return clauses.length === 0 ? undefined : { $and: clauses };
  return { $or: clauses };
}

/** One `MetadataFilter` → one `where` clause. */
function filterToWhere(filter: MetadataFilter, path: string): Where {
  if (filter === null || typeof filter !== "object") fail(path, "expected { key, value, operator }");
  if ("filters" in filter && !("operator" in filter)) {
    fail(path, "nested MetadataFilters are not part of LlamaIndex.TS's filter type; flatten them");
  }
  const { key, value, operator } = filter;
  if (typeof key !== "string" || key.length === 0) fail(`${path}.key`, "expected a non-empty string");
  if (key.startsWith("$") || key.startsWith("#")) {
    fail(`${path}.key`, `"${key}": metadata keys cannot start with '$' or '#'`);
  }
  const field = (expression: Record<string, unknown>): Where => ({ [key]: expression }) as Where;
  const present = field({ $exists: true });
  switch (operator) {
    case "==":
      return field({ $eq: scalar(value, path, operator) });
    case "!=":
      return { $and: [present, field({ $ne: scalar(value, path, operator) })] };
    case ">":
      return field({ $gt: number(value, path, operator) });
    case ">=":
      return field({ $gte: number(value, path, operator) });
    case "<":
      return field({ $lt: number(value, path, operator) });
    case "<=":
      return field({ $lte: number(value, path, operator) });
    case "in":
      return anyOf(byType(list(value, path, operator)).map((values) => field({ $in: values })));
    case "nin":
      return allOf([
        present,
        ...byType(list(value, path, operator)).map((values) => field({ $nin: values })),
      ]);
    case "any":
      return anyOf(list(value, path, operator).map((item) => field({ $contains: item })));
    case "all": {
      const items = list(value, path, operator);
      // An empty `all` is vacuously true for ARRAY values only, and `where` cannot test "is an array".
      if (items.length === 0) fail(`${path}.value`, "all needs at least one value");
      return allOf(items.map((item) => field({ $contains: item })));
    }
    case "contains":
      return field({ $contains: scalar(value, path, operator) });
    case "text_match":
      if (typeof value !== "string")
        fail(`${path}.value`, `text_match expects a string, got ${describe(value)}`);
      return field({ $text_contains: value });
    case "is_empty":
      // LlamaIndex: missing, null, "" or []. Cairn stores neither null nor [] (the adapter leaves such keys
      // out of the filterable metadata), so "missing" covers those two.
      return { $or: [field({ $exists: false }), field({ $eq: "" })] };
    default:
      return fail(
        `${path}.operator`,
        `unknown operator ${JSON.stringify(operator)}; expected one of ==, !=, >, >=, <, <=, in, nin, any, all, contains, text_match, is_empty`,
      );
  }
}

function anyOf(clauses: Where[]): Where {
  if (clauses.length === 0) return MATCH_NONE;
  return clauses.length === 1 ? (clauses[0] as Where) : { $or: clauses };
}

function allOf(clauses: Where[]): Where {
  return clauses.length === 1 ? (clauses[0] as Where) : { $and: clauses };
}

/** Splits a list by `typeof` (Cairn's `$in` / `$nin` lists hold one type), keeping first-seen order. */
function byType(values: MetadataScalar[]): MetadataScalar[][] {
  const groups = new Map<string, MetadataScalar[]>();
  for (const value of values) {
    const group = groups.get(typeof value);
    if (group) group.push(value);
    else groups.set(typeof value, [value]);
  }
  return [...groups.values()];
}

function isScalar(value: unknown): value is MetadataScalar {
  return (
    typeof value === "string" ||
    typeof value === "boolean" ||
    (typeof value === "number" && Number.isFinite(value))
  );
}

function scalar(value: unknown, path: string, operator: string): MetadataScalar {
  if (isScalar(value)) return value;
  const hint = Array.isArray(value)
    ? ` (for a list of values use ${operator === "contains" ? "any / all" : "in / nin"})`
    : "";
  return fail(
    `${path}.value`,
    `${operator} expects a string, number or boolean, got ${describe(value)}${hint}`,
  );
}

function number(value: unknown, path: string, operator: string): number {
  if (typeof value === "number" && Number.isFinite(value)) return value;
  if (typeof value === "string") {
    throw new UnsupportedError(
      "UNSUPPORTED",
      `${path}.value: ${operator} with a string value ("${value}") is not supported: Cairn's range operators ` +
        "compare numbers only. Store the value as a number (e.g. a date as epoch milliseconds or 20240131).",
      { details: { path: `${path}.value`, operator } },
    );
  }
  return fail(`${path}.value`, `${operator} expects a finite number, got ${describe(value)}`);
}

function list(value: unknown, path: string, operator: string): MetadataScalar[] {
  if (!Array.isArray(value)) {
    fail(`${path}.value`, `${operator} expects an array of strings or numbers, got ${describe(value)}`);
  }
  for (const [i, item] of value.entries()) {
    if (!isScalar(item))
      fail(`${path}.value[${i}]`, `expected a string, number or boolean, got ${describe(item)}`);
  }
  return value as MetadataScalar[];
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (value === undefined) return "undefined (no value)";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string") return `string ${JSON.stringify(value)}`;
  if (typeof value === "number" || typeof value === "boolean") return `${typeof value} ${String(value)}`;
  return typeof value;
}

function fail(path: string, problem: string): never {
  throw new InvalidArgumentError("INVALID_FILTER", `${path}: ${problem}`, { details: { path } });
}
