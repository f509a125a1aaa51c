/**
 * `toWhere` is pure: one table row per operator and condition, with the exact `where` expected, and every
 * output checked by core's own parser (so Cairn accepts what the adapter sends).
 */
import { CairnError, parseWhere, type Where } from "@cairndb/core";
import { FilterCondition, FilterOperator, type MetadataFilters } from "@llamaindex/core/vector-store";
import { describe, expect, it } from "vitest";
import { toWhere } from "../src";

const one = (key: string, operator: `${FilterOperator}`, value?: unknown): MetadataFilters =>
  ({ filters: [{ key, operator, value }] }) as MetadataFilters;

const exists = (key: string): Where => ({ [key]: { $exists: true } });

describe("toWhere: every FilterOperator", () => {
  const rows: [string, MetadataFilters, Where][] = [
    ["== string", one("lang", "==", "en"), { lang: { $eq: "en" } }],
    ["== number", one("year", "==", 2020), { year: { $eq: 2020 } }],
    ["!= (key must exist)", one("lang", "!=", "en"), { $and: [exists("lang"), { lang: { $ne: "en" } }] }],
    [">", one("year", ">", 2019), { year: { $gt: 2019 } }],
    [">=", one("year", ">=", 2019), { year: { $gte: 2019 } }],
    ["<", one("year", "<", 2019), { year: { $lt: 2019 } }],
    ["<=", one("year", "<=", 2019.5), { year: { $lte: 2019.5 } }],
    ["in", one("lang", "in", ["en", "fr"]), { lang: { $in: ["en", "fr"] } }],
    [
      "in with strings and numbers (one $in per type)",
      one("code", "in", ["a", 1, "b", 2]),
      { $or: [{ code: { $in: ["a", "b"] } }, { code: { $in: [1, 2] } }] },
    ],
    ["in [] matches nothing", one("lang", "in", []), { $or: [] }],
    [
      "nin (key must exist)",
      one("lang", "nin", ["en"]),
      { $and: [exists("lang"), { lang: { $nin: ["en"] } }] },
    ],
    [
      "nin with mixed types",
      one("code", "nin", [1, "a"]),
      { $and: [exists("code"), { code: { $nin: [1] } }, { code: { $nin: ["a"] } }] },
    ],
    ["nin [] = key exists", one("lang", "nin", []), exists("lang")],
    ["any (one value)", one("tags", "any", ["geo"]), { tags: { $contains: "geo" } }],
    [
      "any",
      one("tags", "any", ["geo", "eu"]),
      { $or: [{ tags: { $contains: "geo" } }, { tags: { $contains: "eu" } }] },
    ],
    ["any [] matches nothing", one("tags", "any", []), { $or: [] }],
    [
      "all",
      one("scores", "all", [1, 2]),
      { $and: [{ scores: { $contains: 1 } }, { scores: { $contains: 2 } }] },
    ],
    ["contains", one("tags", "contains", "geo"), { tags: { $contains: "geo" } }],
    ["contains a number", one("scores", "contains", 3), { scores: { $contains: 3 } }],
    ["text_match", one("title", "text_match", "capital"), { title: { $text_contains: "capital" } }],
    [
      "is_empty (missing, or the empty string)",
      one("note", "is_empty"),
      { $or: [{ note: { $exists: false } }, { note: { $eq: "" } }] },
    ],
    [
      "a dotted key addresses nested metadata",
      one("loc.lines.from", ">=", 3),
      { "loc.lines.from": { $gte: 3 } },
    ],
  ];

  it.each(rows)("%s", (_name, filters, expected) => {
    const where = toWhere(filters);
    expect(where).toEqual(expected);
    expect(() => parseWhere(where)).not.toThrow();
  });

  it("covers all 13 operators of LlamaIndex's enum", () => {
    const covered = new Set(rows.map(([, f]) => f.filters[0]?.operator));
    expect([...covered].sort()).toEqual(Object.values(FilterOperator).sort());
    expect(Object.values(FilterOperator)).toHaveLength(13);
  });
});

describe("toWhere: conditions", () => {
  const year = { key: "year", value: 2020, operator: "==" } as const;
  const lang = { key: "lang", value: "en", operator: "==" } as const;

  it.each<[string, MetadataFilters | undefined, Where | undefined]>([
    ["undefined → no filter", undefined, undefined],
    ["empty and → no filter", { filters: [] }, undefined],
    [
      "empty or → matches nothing (like SimpleVectorStore's [].some)",
      { filters: [], condition: "or" },
      { $or: [] },
    ],
    ["one filter is not wrapped", { filters: [year], condition: "or" }, { year: { $eq: 2020 } }],
    [
      "and is the default",
      { filters: [year, lang] },
      { $and: [{ year: { $eq: 2020 } }, { lang: { $eq: "en" } }] },
    ],
    [
      FilterCondition.AND,
      { filters: [year, lang], condition: FilterCondition.AND },
      { $and: [{ year: { $eq: 2020 } }, { lang: { $eq: "en" } }] },
    ],
    [
      FilterCondition.OR,
      { filters: [year, lang], condition: FilterCondition.OR },
      { $or: [{ year: { $eq: 2020 } }, { lang: { $eq: "en" } }] },
    ],
  ])("%s", (_name, filters, expected) => {
    expect(toWhere(filters)).toEqual(expected);
  });

  it("never mutates its input", () => {
    const filters: MetadataFilters = { filters: [{ key: "tags", value: ["b", "a"], operator: "any" }] };
    const copy = structuredClone(filters);
    toWhere(filters);
    expect(filters).toEqual(copy);
  });
});

describe("toWhere: malformed filters throw INVALID_FILTER with the filter's path", () => {
  const bad = (value: unknown): MetadataFilters => value as MetadataFilters;
  it.each<[string, MetadataFilters, RegExp]>([
    [
      "unknown operator",
      one("a", "like" as FilterOperator, "x"),
      /filters\[0\]\.operator: unknown operator "like"/,
    ],
    [
      "unknown condition",
      bad({ filters: [], condition: "not" }),
      /filters\.condition: expected "and" or "or"/,
    ],
    ["not an object", bad({ filters: "year" }), /^filters: expected/],
    ["empty key", one("", "==", 1), /filters\[0\]\.key: expected a non-empty string/],
    ["operator-like key", one("$and", "==", 1), /cannot start with '\$'/],
    ["== with an array", one("a", "==", [1]), /== expects a string, number or boolean.*use in \/ nin/],
    ["== without a value", one("a", "=="), /got undefined/],
    ["contains with an array", one("a", "contains", ["x"]), /use any \/ all/],
    ["in with a scalar", one("a", "in", "x"), /in expects an array/],
    ["in with an object inside", one("a", "in", [{}]), /filters\[0\]\.value\[0\]/],
    ["all with no values", one("a", "all", []), /all needs at least one value/],
    ["text_match with a number", one("a", "text_match", 5), /text_match expects a string/],
    ["> with NaN", one("a", ">", Number.NaN), /> expects a finite number/],
    [
      "nested MetadataFilters (not in the TS type)",
      bad({ filters: [{ filters: [], condition: "or" }] }),
      /nested MetadataFilters/,
    ],
  ])("%s", (_name, filters, message) => {
    const error = catchError(() => toWhere(filters));
    expect(error).toBeInstanceOf(CairnError);
    expect((error as CairnError).code).toBe("INVALID_FILTER");
    expect((error as CairnError).message).toMatch(message);
  });

  it("a range operator with a string value is UNSUPPORTED (Cairn compares numbers only)", () => {
    const error = catchError(() => toWhere(one("date", ">=", "2024-01-01")));
    expect((error as CairnError).code).toBe("UNSUPPORTED");
    expect((error as CairnError).message).toMatch(/filters\[0\]\.value: >= with a string value/);
  });
});

function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error("expected an error");
}
