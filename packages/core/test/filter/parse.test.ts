import { describe, expect, it } from "vitest";
import { type CairnError, InvalidArgumentError } from "../../src/errors";
import {
  type DocumentNode,
  MAX_FILTER_DEPTH,
  MAX_FILTER_NODES,
  parseWhere,
  parseWhereDocument,
  type WhereNode,
} from "../../src/filter";

/** Runs `fn`, expects an INVALID_FILTER error whose message starts with `path: `, and returns it. */
function filterError(fn: () => unknown, path: string): CairnError {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(InvalidArgumentError);
  const error = caught as CairnError;
  expect(error.code).toBe("INVALID_FILTER");
  expect(error.message.startsWith(`${path}: `), `message was: ${error.message}`).toBe(true);
  expect(error.details).toEqual({ path });
  return error;
}

function nestedAnd(levels: number, leaf: unknown): unknown {
  let where = leaf;
  for (let i = 0; i < levels; i++) where = { $and: [where] };
  return where;
}

class Filter {
  a = 1;
}

const f = (key: string, op: string, value: unknown) => ({ kind: "field", key, op, value });

describe("parseWhere: valid input", () => {
  const cases: [string, unknown, WhereNode][] = [
    ["implicit $eq number", { year: 2020 }, f("year", "$eq", 2020) as WhereNode],
    ["implicit $eq string", { type: "faq" }, f("type", "$eq", "faq") as WhereNode],
    ["implicit $eq boolean", { ok: false }, f("ok", "$eq", false) as WhereNode],
    ["implicit $eq empty string", { s: "" }, f("s", "$eq", "") as WhereNode],
    ["$ne float", { a: { $ne: 1.5 } }, f("a", "$ne", 1.5) as WhereNode],
    ["$gte negative zero", { a: { $gte: -0 } }, f("a", "$gte", -0) as WhereNode],
    ["$lt", { a: { $lt: 10 } }, f("a", "$lt", 10) as WhereNode],
    ["$in numbers", { a: { $in: [1, 2.5] } }, f("a", "$in", [1, 2.5]) as WhereNode],
    ["$nin strings", { a: { $nin: ["x"] } }, f("a", "$nin", ["x"]) as WhereNode],
    ["$in booleans", { a: { $in: [true, false] } }, f("a", "$in", [true, false]) as WhereNode],
    ["$contains", { tags: { $contains: "x" } }, f("tags", "$contains", "x") as WhereNode],
    ["$not_contains", { tags: { $not_contains: true } }, f("tags", "$not_contains", true) as WhereNode],
    ["$text_contains", { t: { $text_contains: "" } }, f("t", "$text_contains", "") as WhereNode],
    ["$exists", { t: { $exists: false } }, f("t", "$exists", false) as WhereNode],
    ["$and: []", { $and: [] }, { kind: "and", children: [] }],
    ["$or: []", { $or: [] }, { kind: "or", children: [] }],
    ["single entry $or", { $or: [{ a: 1 }] }, { kind: "or", children: [f("a", "$eq", 1) as WhereNode] }],
    ["key with a space", { "first name": "Ada" }, f("first name", "$eq", "Ada") as WhereNode],
    ["key constructor", { constructor: "x" }, f("constructor", "$eq", "x") as WhereNode],
    ["key __proto__ (JSON)", JSON.parse('{"__proto__": {"$eq": 1}}'), f("__proto__", "$eq", 1) as WhereNode],
    ["null-prototype object", Object.assign(Object.create(null), { a: 1 }), f("a", "$eq", 1) as WhereNode],
    [
      "nested",
      { $and: [{ a: 1 }, { $or: [{ b: { $gt: 2 } }, { c: { $exists: true } }] }] },
      {
        kind: "and",
        children: [
          f("a", "$eq", 1) as WhereNode,
          { kind: "or", children: [f("b", "$gt", 2) as WhereNode, f("c", "$exists", true) as WhereNode] },
        ],
      },
    ],
  ];
  it.each(cases)("%s", (_name, input, expected) => {
    expect(parseWhere(input)).toEqual(expected);
  });

  it("reads own enumerable string keys only", () => {
    const where = { a: 1 };
    Object.defineProperty(where, "hidden", { value: 2, enumerable: false });
    (where as Record<symbol, unknown>)[Symbol("s")] = 3;
    expect(parseWhere(where)).toEqual(f("a", "$eq", 1));
  });

  it("does not pollute prototypes and copies operand arrays", () => {
    const list = [1, 2];
    const node = parseWhere(JSON.parse('{"__proto__": {"$in": [1]}}'));
    expect(({} as Record<string, unknown>).$in).toBeUndefined();
    expect(node).toEqual(f("__proto__", "$in", [1]));
    const parsed = parseWhere({ a: { $in: list } }) as { value: unknown[] };
    list.push(3);
    expect(parsed.value).toEqual([1, 2]);
  });

  it(`accepts ${MAX_FILTER_DEPTH} levels and ${MAX_FILTER_NODES} clauses`, () => {
    expect(() => parseWhere(nestedAnd(MAX_FILTER_DEPTH - 1, { a: 1 }))).not.toThrow();
    const leaves = Array.from({ length: MAX_FILTER_NODES - 1 }, (_, i) => ({ a: i }));
    expect((parseWhere({ $or: leaves }) as { children: unknown[] }).children).toHaveLength(
      MAX_FILTER_NODES - 1,
    );
  });

  it("accepts $in with 100,000 values", () => {
    const values = Array.from({ length: 100_000 }, (_, i) => i);
    expect((parseWhere({ n: { $in: values } }) as { value: unknown[] }).value).toHaveLength(100_000);
  });
});

describe("parseWhere: invalid input", () => {
  const cases: [string, unknown, string][] = [
    ["empty object", {}, "where"],
    ["two keys", { a: 1, b: 2 }, "where"],
    ["null", null, "where"],
    ["undefined", undefined, "where"],
    ["string", "a", "where"],
    ["array", [{ a: 1 }], "where"],
    ["Map", new Map([["a", 1]]), "where"],
    ["class instance", new Filter(), "where"],
    ["inherited keys only", Object.create({ a: 1 }), "where"],
    ["$and not an array", { $and: { a: 1 } }, "where.$and"],
    ["$or holding null", { $or: [null] }, "where.$or[0]"],
    ["empty clause in $and", { $and: [{ a: 1 }, {}] }, "where.$and[1]"],
    ["$gt on a string", { $and: [{ a: 1 }, { year: { $gt: "2020" } }] }, "where.$and[1].year"],
    ["$gt on a boolean", { a: { $gt: true } }, "where.a"],
    ["$gt NaN", { a: { $gt: Number.NaN } }, "where.a"],
    ["$lte Infinity", { a: { $lte: Number.POSITIVE_INFINITY } }, "where.a"],
    ["null value", { a: null }, "where.a"],
    ["array value", { a: [1, 2] }, "where.a"],
    ["NaN value", { a: Number.NaN }, "where.a"],
    ["-Infinity value", { a: Number.NEGATIVE_INFINITY }, "where.a"],
    ["undefined value", { a: undefined }, "where.a"],
    ["bigint value", { a: 1n }, "where.a"],
    ["Date value", { a: new Date(0) }, "where.a"],
    ["function value", { a: () => 1 }, "where.a"],
    ["empty operator object", { a: {} }, "where.a"],
    ["two operators", { a: { $gt: 1, $lt: 2 } }, "where.a"],
    ["$eq null", { a: { $eq: null } }, "where.a"],
    ["$eq array", { a: { $eq: [1] } }, "where.a"],
    ["$ne object", { a: { $ne: { b: 1 } } }, "where.a"],
    ["$contains array", { a: { $contains: ["x"] } }, "where.a"],
    ["$in empty", { a: { $in: [] } }, "where.a"],
    ["$in not an array", { a: { $in: "x" } }, "where.a"],
    ["$in mixed types", { a: { $in: [1, "1"] } }, "where.a.$in[1]"],
    ["$nin with null", { a: { $nin: ["x", null] } }, "where.a.$nin[1]"],
    ["$in NaN", { a: { $in: [Number.NaN] } }, "where.a.$in[0]"],
    ["$in hole", { a: { $in: Object.assign(new Array(3), { 0: 1, 2: 2 }) } }, "where.a.$in[1]"],
    ["$text_contains number", { a: { $text_contains: 1 } }, "where.a"],
    ["$exists string", { a: { $exists: "yes" } }, "where.a"],
    ["$regex on metadata", { a: { $regex: "x" } }, "where.a"],
    ["nested object value", { a: { b: 1 } }, "where.a"],
    ["$and inside a field", { a: { $and: [] } }, "where.a"],
    ["field operator at top level", { $eq: 1 }, "where.$eq"],
    ["unknown top-level operator", { $not: { a: 1 } }, "where.$not"],
    ["empty key", { "": 1 }, 'where[""]'],
    ["bad key path quoting", { "first name": null }, 'where["first name"]'],
    ["accessor property", Object.defineProperty({}, "a", { get: () => 1, enumerable: true }), "where.a"],
  ];
  it.each(cases)("%s", (_name, input, path) => {
    filterError(() => parseWhere(input), path);
  });

  it("uses the caller's path prefix", () => {
    filterError(() => parseWhere({ a: 1, b: 2 }, "queries[2].where"), "queries[2].where");
  });

  it("hints at misspelt operators", () => {
    expect(filterError(() => parseWhere({ a: { $gte_: 1 } }), "where.a").message).toContain("$gte?");
    expect(filterError(() => parseWhere({ $adn: [] }), "where.$adn").message).toContain("$and?");
    expect(filterError(() => parseWhere({ $OR: [] }), "where.$OR").message).toContain("$or?");
  });

  it(`rejects more than ${MAX_FILTER_DEPTH} levels`, () => {
    const path = `where${".$and[0]".repeat(MAX_FILTER_DEPTH)}`;
    filterError(() => parseWhere(nestedAnd(MAX_FILTER_DEPTH, { a: 1 })), path);
  });

  it("rejects very deep input without overflowing the stack", () => {
    filterError(
      () => parseWhere(nestedAnd(100_000, { a: 1 })),
      `where${".$and[0]".repeat(MAX_FILTER_DEPTH)}`,
    );
  });

  it(`rejects more than ${MAX_FILTER_NODES} clauses`, () => {
    filterError(
      () => parseWhere({ $and: Array.from({ length: MAX_FILTER_NODES }, () => ({ a: 1 })) }),
      "where.$and",
    );
    const wide = {
      $or: Array.from({ length: 100 }, () => ({ $and: Array.from({ length: 100 }, () => ({ a: 1 })) })),
    };
    filterError(() => parseWhere(wide), "where.$or[99]");
  });
});

describe("parseWhereDocument", () => {
  const valid: [string, unknown, DocumentNode][] = [
    ["$contains", { $contains: "refund" }, { kind: "contains", text: "refund" }],
    ["$contains empty", { $contains: "" }, { kind: "contains", text: "" }],
    ["$not_contains", { $not_contains: "x" }, { kind: "not_contains", text: "x" }],
    ["$regex with flags", { $regex: "(?i)draft" }, { kind: "regex", pattern: "(?i)draft" }],
    ["$not_regex", { $not_regex: "^a" }, { kind: "not_regex", pattern: "^a" }],
    ["regex bomb is harmless", { $regex: "(a*)*$" }, { kind: "regex", pattern: "(a*)*$" }],
    ["$and: []", { $and: [] }, { kind: "and", children: [] }],
    [
      "$or single",
      { $or: [{ $contains: "a" }] },
      { kind: "or", children: [{ kind: "contains", text: "a" }] },
    ],
  ];
  it.each(valid)("accepts %s", (_name, input, expected) => {
    expect(parseWhereDocument(input)).toEqual(expected);
  });

  const invalid: [string, unknown, string][] = [
    ["empty object", {}, "whereDocument"],
    ["null", null, "whereDocument"],
    ["two keys", { $contains: "a", $regex: "b" }, "whereDocument"],
    ["$contains number", { $contains: 1 }, "whereDocument.$contains"],
    ["$not_contains null", { $not_contains: null }, "whereDocument.$not_contains"],
    ["$regex invalid", { $regex: "(" }, "whereDocument.$regex"],
    ["$not_regex backreference", { $not_regex: "(a)\\1" }, "whereDocument.$not_regex"],
    ["$regex lookahead", { $regex: "a(?=b)" }, "whereDocument.$regex"],
    ["$matches", { $matches: "x" }, "whereDocument.$matches"],
    ["$not_matches", { $not_matches: "x" }, "whereDocument.$not_matches"],
    ["metadata-like key", { text: "x" }, "whereDocument.text"],
    [
      "nested invalid regex",
      { $and: [{ $contains: "a" }, { $regex: "a**" }] },
      "whereDocument.$and[1].$regex",
    ],
    ["$or not an array", { $or: "x" }, "whereDocument.$or"],
  ];
  it.each(invalid)("rejects %s", (_name, input, path) => {
    filterError(() => parseWhereDocument(input), path);
  });

  it("names the pattern and keeps RE2's error as cause", () => {
    const error = filterError(() => parseWhereDocument({ $regex: "a{2,1}" }), "whereDocument.$regex");
    expect(error.message).toContain('"a{2,1}"');
    expect(error.cause).toBeInstanceOf(Error);
  });

  it("hints at misspelt operators and at $regex for $matches", () => {
    expect(
      filterError(() => parseWhereDocument({ $contians: "x" }), "whereDocument.$contians").message,
    ).toContain("$contains?");
    expect(
      filterError(() => parseWhereDocument({ $matches: "x" }), "whereDocument.$matches").message,
    ).toContain("$regex");
  });

  it("rejects more than the depth limit", () => {
    filterError(
      () => parseWhereDocument(nestedAnd(MAX_FILTER_DEPTH, { $contains: "a" })),
      `whereDocument${".$and[0]".repeat(MAX_FILTER_DEPTH)}`,
    );
  });
});
