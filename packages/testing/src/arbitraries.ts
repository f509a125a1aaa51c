/**
 * fast-check arbitraries for metadata, documents and filters. Values come from small, overlapping pools so
 * that random filters actually match random records (and miss them in interesting ways: int vs float, true vs
 * 1, scalar vs array, missing keys, prototype-named keys), with an occasional wide value for range coverage.
 */
import fc from "fast-check";
import type { Metadata, MetadataScalar, MetadataValue, Where, WhereDocument } from "@cairndb/core";

/** Metadata keys used by the arbitraries, including names that live on `Object.prototype`. */
export const METADATA_KEYS = ["a", "b", "year", "tags", "__proto__", "constructor", "first name"] as const;

/** A record as seen by filters: its document (or null) and its metadata (or null). */
export interface FilterRecord {
  /** The document text, or null for a record without one. */
  document: string | null;
  /** The metadata, or null. */
  metadata: Metadata | null;
}

const keyArb = fc.constantFrom(...METADATA_KEYS);

/** Short strings from an alphabet with case, quotes, spaces, accents and astral characters. */
export const metadataStringArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom("", "a", "A", "ab", "abc", "x y", "é", "😀", '"q"') },
  {
    weight: 1,
    arbitrary: fc.string({ unit: fc.constantFrom("a", "A", "b", " ", '"', "é", "😀"), maxLength: 5 }),
  },
);

/** Integers: mostly small (so they collide with floats and booleans), sometimes beyond 2^53. */
export const metadataIntegerArb: fc.Arbitrary<number> = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: -3, max: 3 }) },
  { weight: 1, arbitrary: fc.constantFrom(2 ** 53, -(2 ** 53), 2 ** 53 + 2, 1e20, -4.068198706935222e16) },
  { weight: 1, arbitrary: fc.integer() },
);

/** Non-integer finite numbers: a few near the small integers, and any finite double. */
export const metadataFloatArb: fc.Arbitrary<number> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(0.5, 1.5, -2.5, 2.25, 1e-300) },
  {
    weight: 1,
    arbitrary: fc
      .double({ noNaN: true, noDefaultInfinity: true })
      .filter((n) => !Number.isInteger(n) && Number.isFinite(n)),
  },
);

/** Any finite number (integer or not). */
export const metadataNumberArb: fc.Arbitrary<number> = fc.oneof(metadataIntegerArb, metadataFloatArb);

/** A scalar metadata value: string, number or boolean. */
export const metadataScalarArb: fc.Arbitrary<MetadataScalar> = fc.oneof(
  metadataStringArb,
  metadataIntegerArb,
  metadataFloatArb,
  fc.boolean(),
);

/** A metadata value: a scalar, or a non-empty homogeneous array (strings, numbers or booleans). */
export const metadataValueArb: fc.Arbitrary<MetadataValue> = fc.oneof(
  { weight: 3, arbitrary: metadataScalarArb },
  { weight: 1, arbitrary: fc.array(metadataStringArb, { minLength: 1, maxLength: 3 }) },
  { weight: 1, arbitrary: fc.array(metadataNumberArb, { minLength: 1, maxLength: 3 }) },
  { weight: 1, arbitrary: fc.array(fc.boolean(), { minLength: 1, maxLength: 3 }) },
);

/** Record metadata with 0–4 keys from `METADATA_KEYS` (own properties, even `__proto__`). */
export const metadataArb: fc.Arbitrary<Metadata> = fc
  .uniqueArray(fc.tuple(keyArb, metadataValueArb), { selector: (entry) => entry[0], maxLength: 4 })
  .map((entries) => Object.fromEntries(entries) as Metadata);

/** A document: null, or text made of words that the document arbitraries also search for. */
export const documentArb: fc.Arbitrary<string | null> = fc.option(
  fc
    .array(fc.constantFrom("refund", "Refund", "ab", "abc", " ", '"', "é", "😀", "x", "draft\n", "\u0000"), {
      maxLength: 6,
    })
    .map((words) => words.join("")),
  { nil: null, freq: 5 },
);

/** A record's filterable parts: document and metadata, each sometimes null. */
export const filterRecordArb: fc.Arbitrary<FilterRecord> = fc.record({
  document: documentArb,
  metadata: fc.option(metadataArb, { nil: null, freq: 6 }),
});

const fieldOperatorArb: fc.Arbitrary<Record<string, unknown>> = fc
  .oneof(
    fc.record({ op: fc.constantFrom("$eq", "$ne", "$contains", "$not_contains"), v: metadataScalarArb }),
    fc.record({ op: fc.constantFrom("$gt", "$gte", "$lt", "$lte"), v: metadataNumberArb }),
    fc.record({
      op: fc.constantFrom("$in", "$nin"),
      v: fc.oneof(
        fc.array(metadataStringArb, { minLength: 1, maxLength: 4 }),
        fc.array(metadataNumberArb, { minLength: 1, maxLength: 4 }),
        fc.array(fc.boolean(), { minLength: 1, maxLength: 2 }),
      ),
    }),
    fc.record({ op: fc.constant("$text_contains"), v: metadataStringArb }),
    fc.record({ op: fc.constant("$exists"), v: fc.boolean() }),
  )
  .map(({ op, v }) => Object.fromEntries([[op, v]]));

/** One field clause: `{ key: scalar }` (implicit `$eq`) or `{ key: { $op: operand } }`. */
export const whereFieldArb: fc.Arbitrary<Where> = fc
  .tuple(
    keyArb,
    fc.oneof({ weight: 1, arbitrary: metadataScalarArb }, { weight: 3, arbitrary: fieldOperatorArb }),
  )
  .map(([key, operand]) => Object.fromEntries([[key, operand]]) as Where);

/** Options of the recursive filter arbitraries. */
export interface FilterArbOptions {
  /** Most `$and` / `$or` levels (default 3). */
  maxDepth?: number;
  /** Most children of one `$and` / `$or` (default 3; 0 children are generated too). */
  maxChildren?: number;
}

/**
 * A valid `where` filter tree: field clauses combined with `$and` / `$or` (including empty and single-entry
 * lists). Every generated filter passes `parseWhere`.
 * @example fc.assert(fc.property(whereArb(), (where) => { parseWhere(where); }))
 */
export function whereArb(options: FilterArbOptions = {}): fc.Arbitrary<Where> {
  return treeArb(whereFieldArb, options) as fc.Arbitrary<Where>;
}

const documentTextArb = fc.constantFrom(
  "",
  "a",
  "ab",
  "abc",
  "Refund",
  "refund",
  "fund",
  '"',
  'b"',
  "é😀",
  "\u0000",
);
const documentPatternArb = fc.constantFrom(
  "(?i)refund",
  "^ab",
  "c$",
  "a.c",
  "[0-9]",
  "😀",
  '"',
  "é+",
  "^$",
  "(?s)t.*x",
);

/** One document clause: `$contains` / `$not_contains` / `$regex` / `$not_regex`. */
export const whereDocumentLeafArb: fc.Arbitrary<WhereDocument> = fc.oneof(
  documentTextArb.map((text): WhereDocument => ({ $contains: text })),
  documentTextArb.map((text): WhereDocument => ({ $not_contains: text })),
  documentPatternArb.map((pattern): WhereDocument => ({ $regex: pattern })),
  documentPatternArb.map((pattern): WhereDocument => ({ $not_regex: pattern })),
);

/**
 * A valid `whereDocument` filter tree. Every generated filter passes `parseWhereDocument`.
 * @example fc.assert(fc.property(whereDocumentArb(), (wd) => { parseWhereDocument(wd); }))
 */
export function whereDocumentArb(options: FilterArbOptions = {}): fc.Arbitrary<WhereDocument> {
  return treeArb(whereDocumentLeafArb, options) as fc.Arbitrary<WhereDocument>;
}

function treeArb<T>(leaf: fc.Arbitrary<T>, options: FilterArbOptions): fc.Arbitrary<unknown> {
  const maxChildren = options.maxChildren ?? 3;
  const build = (depth: number): fc.Arbitrary<unknown> => {
    if (depth === 0) return leaf;
    const children = fc.array(build(depth - 1), { maxLength: maxChildren });
    return fc.oneof(
      { weight: 2, arbitrary: leaf },
      { weight: 1, arbitrary: children.map((list) => ({ $and: list })) },
      { weight: 1, arbitrary: children.map((list) => ({ $or: list })) },
    );
  };
  return build(options.maxDepth ?? 3);
}
