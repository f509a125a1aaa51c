import { describe, expect, it } from "vitest";
import { evaluateWhere, evaluateWhereDocument, parseWhere, parseWhereDocument } from "../../src/filter";
import type { Metadata } from "../../src/types";

const record: Metadata = {
  int: 1,
  float: 1.5,
  str: "Hello World",
  yes: true,
  no: false,
  zero: 0,
  tags: ["red", "Blue"],
  nums: [1, 2.5],
  flags: [true],
};

/** [where, metadata, expected]; metadata defaults to `record`. */
type Case = [string, unknown, boolean, (Metadata | null | undefined)?];

function run(cases: Case[]): void {
  it.each(cases)("%s", (_name, where, expected, ...rest) => {
    const metadata = rest.length > 0 ? rest[0] : record;
    expect(evaluateWhere(parseWhere(where), metadata)).toBe(expected);
  });
}

describe("evaluateWhere: $eq / $ne", () => {
  run([
    ["int equals int", { int: 1 }, true],
    ["int equals 1.0 (numeric)", { int: { $eq: 1.0 } }, true],
    ["float equals float", { float: 1.5 }, true],
    ["no truncation: float operand vs int", { int: { $eq: 1.5 } }, false],
    ["string case-sensitive", { str: "hello world" }, false],
    ["string exact", { str: "Hello World" }, true],
    ["true is not 1", { yes: 1 }, false],
    ["1 is not true", { int: true }, false],
    ["false is not 0", { zero: false }, false],
    ["boolean equals boolean", { no: false }, true],
    ["string '1' is not 1", { int: "1" }, false],
    ["$eq never matches array elements", { tags: "red" }, false],
    ["missing key", { nope: 1 }, false],
    ["$ne other value", { int: { $ne: 2 } }, true],
    ["$ne same value", { int: { $ne: 1 } }, false],
    ["$ne missing key matches", { nope: { $ne: 1 } }, true],
    ["$ne other type matches", { str: { $ne: 1 } }, true],
    ["$ne array matches", { tags: { $ne: "red" } }, true],
    ["$ne with null metadata", { a: { $ne: 1 } }, true, null],
    ["$eq with undefined metadata", { a: 1 }, false, undefined],
  ]);
});

describe("evaluateWhere: ranges", () => {
  run([
    ["$gt int", { int: { $gt: 0 } }, true],
    ["$gt equal", { int: { $gt: 1 } }, false],
    ["$gte equal", { int: { $gte: 1 } }, true],
    ["$gte float operand on int: no truncation", { int: { $gte: 1.5 } }, false],
    ["$lt float", { float: { $lt: 2 } }, true],
    ["$lte float equal", { float: { $lte: 1.5 } }, true],
    ["$gt never on booleans", { yes: { $gt: 0 } }, false],
    ["$lt never on booleans", { no: { $lt: 1 } }, false],
    ["$gt never on strings", { str: { $gt: 0 } }, false],
    ["$gt never on arrays", { nums: { $gt: 0 } }, false],
    ["$lt on missing key", { nope: { $lt: 100 } }, false],
  ]);
});

describe("evaluateWhere: $in / $nin", () => {
  run([
    ["$in numeric", { int: { $in: [3, 1.0] } }, true],
    ["$in no truncation", { int: { $in: [1.5] } }, false],
    ["$in strings", { str: { $in: ["x", "Hello World"] } }, true],
    ["$in booleans vs number", { int: { $in: [true] } }, false],
    ["$in never array elements", { tags: { $in: ["red"] } }, false],
    ["$in missing key", { nope: { $in: [1] } }, false],
    ["$nin missing key", { nope: { $nin: [1] } }, true],
    ["$nin array value", { tags: { $nin: ["red"] } }, true],
    ["$nin other type", { yes: { $nin: [1] } }, true],
    ["$nin listed value", { yes: { $nin: [true] } }, false],
  ]);
});

describe("evaluateWhere: $contains / $not_contains (arrays)", () => {
  run([
    ["string element", { tags: { $contains: "red" } }, true],
    ["case-sensitive element", { tags: { $contains: "blue" } }, false],
    ["numeric element", { nums: { $contains: 2.5 } }, true],
    ["int operand vs float element", { nums: { $contains: 1.0 } }, true],
    ["boolean element", { flags: { $contains: true } }, true],
    ["true is not 1 in arrays", { nums: { $contains: true } }, false],
    ["scalar value never contains", { str: { $contains: "Hello World" } }, false],
    ["scalar value: $not_contains true", { str: { $not_contains: "Hello World" } }, true],
    ["missing key: $contains false", { nope: { $contains: "x" } }, false],
    ["missing key: $not_contains true", { nope: { $not_contains: "x" } }, true],
    ["$not_contains element", { tags: { $not_contains: "red" } }, false],
    ["$not_contains absent element", { tags: { $not_contains: "green" } }, true],
  ]);
});

describe("evaluateWhere: $text_contains / $exists", () => {
  run([
    ["substring of scalar", { str: { $text_contains: "lo Wo" } }, true],
    ["case-sensitive", { str: { $text_contains: "hello" } }, false],
    ["substring of an array element", { tags: { $text_contains: "Bl" } }, true],
    ["empty text matches strings", { str: { $text_contains: "" } }, true],
    ["never on numbers", { int: { $text_contains: "1" } }, false],
    ["never on number arrays", { nums: { $text_contains: "1" } }, false],
    ["missing key", { nope: { $text_contains: "" } }, false],
    ["$exists true", { tags: { $exists: true } }, true],
    ["$exists true on false value", { no: { $exists: true } }, true],
    ["$exists false", { nope: { $exists: false } }, true],
    ["$exists false on present key", { int: { $exists: false } }, false],
    ["$exists on null metadata", { a: { $exists: false } }, true, null],
  ]);
});

describe("evaluateWhere: logic and hostile keys", () => {
  run([
    ["$and: [] matches all", { $and: [] }, true, null],
    ["$or: [] matches none", { $or: [] }, false],
    ["$and", { $and: [{ int: 1 }, { str: { $ne: "x" } }] }, true],
    ["$and one false", { $and: [{ int: 1 }, { str: "x" }] }, false],
    ["$or", { $or: [{ int: 2 }, { yes: true }] }, true],
    ["nested", { $or: [{ $and: [] }, { int: 5 }] }, true],
    ["__proto__ is not inherited", JSON.parse('{"__proto__": {"$exists": true}}'), false, {}],
    ["constructor is not inherited", { constructor: { $exists: true } }, false, {}],
    ["toString is not inherited", { toString: { $ne: "x" } }, true, {}],
    ["own __proto__ key", JSON.parse('{"__proto__": 1}'), true, JSON.parse('{"__proto__": 1}') as Metadata],
    ["null value counts as absent", { a: { $exists: false } }, true, { a: null } as unknown as Metadata],
  ]);
});

describe("evaluateWhere: large $in", () => {
  it("uses the whole list", () => {
    const values = Array.from({ length: 100_000 }, (_, i) => i * 2);
    const node = parseWhere({ n: { $in: values } });
    expect(evaluateWhere(node, { n: 199_998 })).toBe(true);
    expect(evaluateWhere(node, { n: 3 })).toBe(false);
    expect(evaluateWhere(node, { n: "4" })).toBe(false);
  });
});

describe("evaluateWhereDocument", () => {
  const doc = 'Refund policy: "draft"';
  const cases: [string, unknown, string | null | undefined, boolean][] = [
    ["$contains", { $contains: "policy" }, doc, true],
    ["$contains case-sensitive", { $contains: "refund" }, doc, false],
    ["$contains with quotes", { $contains: '"draft"' }, doc, true],
    ["$contains empty string with a document", { $contains: "" }, doc, true],
    ["$contains empty string on an empty document", { $contains: "" }, "", true],
    ["$contains empty string without a document", { $contains: "" }, null, false],
    ["$contains without a document", { $contains: "x" }, undefined, false],
    ["$not_contains", { $not_contains: "policy" }, doc, false],
    ["$not_contains absent text", { $not_contains: "xyz" }, doc, true],
    ["$not_contains without a document", { $not_contains: "x" }, null, true],
    ["$regex", { $regex: "^Ref.*draft" }, doc, true],
    ["$regex (?i)", { $regex: "(?i)REFUND" }, doc, true],
    ["$regex case-sensitive by default", { $regex: "REFUND" }, doc, false],
    ["$regex without a document", { $regex: ".*" }, null, false],
    ["$not_regex", { $not_regex: "draft" }, doc, false],
    ["$not_regex without a document", { $not_regex: ".*" }, null, true],
    ["$and: [] without a document", { $and: [] }, null, true],
    ["$or: []", { $or: [] }, doc, false],
    ["$and", { $and: [{ $contains: "Refund" }, { $not_regex: "(?i)final" }] }, doc, true],
    ["$or", { $or: [{ $contains: "nope" }, { $regex: "y:" }] }, doc, true],
  ];
  it.each(cases)("%s", (_name, where, document, expected) => {
    expect(evaluateWhereDocument(parseWhereDocument(where), document)).toBe(expected);
  });

  it("runs regex bombs in linear time", () => {
    const start = performance.now();
    const node = parseWhereDocument({ $regex: "(a*)*$" });
    expect(evaluateWhereDocument(node, `${"a".repeat(100_000)}b`)).toBe(true);
    expect(performance.now() - start).toBeLessThan(5_000);
  });
});
