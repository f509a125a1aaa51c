/**
 * Hostile inputs for the fuzz suite: wrong types, non-finite numbers, huge and odd strings, deep structures,
 * prototype-named keys, SQL-looking text, regular-expression bombs — and almost-valid option bags with one
 * hostile part, so the input gets past the first check and reaches deeper layers.
 */
import fc from "fast-check";

const HUGE = "x".repeat(200_000);
const SQLISH = [
  "'; DROP TABLE records; --",
  '" OR 1=1 --',
  "%",
  "_",
  "\\",
  "records_fts MATCH 'a'",
  "*",
  "NEAR(a b)",
  "\u0000",
  ") UNION SELECT * FROM sqlite_master --",
];
const ODD_STRINGS = [
  "",
  " ",
  "é",
  "😀",
  "\uD800",
  "\uDFFF",
  "a\u0000b",
  "__proto__",
  "constructor",
  "prototype",
  "toString",
  "$and",
  "$eq",
  "#doc",
  ...SQLISH,
];

/** Regular expressions that are slow in backtracking engines, or invalid, or huge. */
export const REGEX_BOMBS = [
  "(a*)*$",
  "(a|aa)+$",
  "((a+)+)+b",
  "(x+x+)+y",
  "(((((((((a*)*)*)*)*)*)*)*)*)*c",
  "a{1000}{1000}",
  "(a{100}){100}",
  "[",
  "(?<name>a)",
  "\\1",
  "(?=a)",
  "\\p{Greek}+",
  "(?i)ß",
  `(${"a|".repeat(2000)}b)`,
  "a".repeat(20_000),
  "",
];

/** Nested arrays or objects `depth` levels deep. */
const deep = (depth: number, kind: "array" | "object" | "and"): unknown => {
  let value: unknown = kind === "and" ? { a: 1 } : 1;
  for (let i = 0; i < depth; i++)
    value = kind === "array" ? [value] : kind === "object" ? { k: value } : { $and: [value, value] };
  return value;
};

/** A value of a wrong, odd or extreme kind. */
export const hostileArb: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(
    undefined,
    null,
    Number.NaN,
    Number.POSITIVE_INFINITY,
    Number.NEGATIVE_INFINITY,
    -0,
    -1,
    0.5,
    2 ** 53 + 2,
    1e300,
    Number.MAX_VALUE,
    true,
    false,
    10n,
    Symbol("s"),
    () => 1,
    new Date(0),
    new Map([["a", 1]]),
    new Set([1]),
    /re/,
    new Float32Array([Number.NaN, 1, 2, 3]),
    new Float64Array(4),
    new Int8Array(4),
    new ArrayBuffer(8),
    Object.create(null),
    JSON.parse('{"__proto__": {"polluted": true}}'),
    { constructor: { prototype: { polluted: true } } },
    HUGE,
    [HUGE],
    [Number.NaN, Number.POSITIVE_INFINITY, 0, 1],
    [[1, 2], [3]],
    [],
    {},
    new Array(5),
    deep(200, "array"),
    deep(200, "object"),
    deep(100, "and"),
  ),
  fc.constantFrom(...ODD_STRINGS),
  fc.string({ maxLength: 20 }),
  fc.string({ unit: "binary", maxLength: 10 }),
  fc.double(),
  fc.integer(),
  fc.anything({
    maxDepth: 3,
    withBigInt: true,
    withDate: true,
    withMap: true,
    withSet: true,
    withTypedArray: true,
    withSparseArray: true,
    withNullPrototype: true,
    withBoxedValues: true,
    withObjectString: true,
  }),
);

/** Record ids: ordinary, unicode, prototype-named, SQL-looking, long. */
export const idArb: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    "a",
    "b",
    "c",
    "é",
    "😀",
    "\uD800",
    "x\uDFFF",
    "e\u0301",
    "__proto__",
    "constructor",
    "x".repeat(1000),
    ...SQLISH.filter((s) => s.length > 0),
  ),
  fc.string({ minLength: 1, maxLength: 6 }),
  fc.string({ unit: "binary", minLength: 1, maxLength: 3 }),
);

const vectorArb = (dim: number) =>
  fc.array(fc.double({ min: -4, max: 4, noNaN: true }), { minLength: dim, maxLength: dim });
const scalarArb = fc.oneof(
  fc.constantFrom(...ODD_STRINGS),
  fc.integer({ min: -3, max: 3 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
);
const keyArb = fc.constantFrom(
  "a",
  "year",
  "__proto__",
  "constructor",
  "toString",
  "first name",
  "é",
  "'; --",
  "x".repeat(300),
);
const metadataArb = fc.option(
  fc.dictionary(keyArb, fc.oneof(scalarArb, fc.array(fc.integer(), { minLength: 1, maxLength: 3 }))),
  { nil: null },
);

/** Filters: valid ones over odd keys and values, and broken ones. */
export const whereArb: fc.Arbitrary<unknown> = fc.oneof(
  fc.record({ a: scalarArb }),
  fc.constantFrom<unknown>(
    { year: { $gte: 2020 } },
    { $and: [{ a: { $in: ["x", "'; DROP TABLE records; --"] } }, { year: { $ne: 1 } }] },
    { $or: [{ __proto__: 1 }, { constructor: { $exists: true } }] },
    { a: { $regex: "x" } },
    { a: { $in: [] } },
    { a: { $in: [1, "x"] } },
    { a: { $in: Array.from({ length: 50_000 }, (_, i) => i) } },
    { a: { $gt: "x" } },
    { a: { $eq: Number.NaN } },
    { a: { $text_contains: "%" } },
    { $and: [] },
    { $or: [] },
    { $not: { a: 1 } },
    JSON.parse('{"__proto__": {"$eq": 1}}'),
    deep(70, "and"),
    deep(10_000, "object"),
    { $and: Array.from({ length: 20_000 }, () => ({ a: 1 })) },
  ),
  hostileArb,
);

/** Document filters, with regular-expression bombs. */
export const whereDocumentArb: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(...REGEX_BOMBS).map((p) => ({ $regex: p })),
  fc.constantFrom(...REGEX_BOMBS).map((p) => ({ $not_regex: p })),
  fc.constantFrom(...ODD_STRINGS).map((t) => ({ $contains: t })),
  fc.constantFrom<unknown>(
    { $contains: HUGE },
    { $and: [{ $contains: "a" }, { $regex: "(a*)*$" }] },
    { $matches: "a" },
    { a: 1 },
  ),
  hostileArb,
);

/** A valid-looking write for a collection of dimension `dim`. */
export const writeArb = (dim: number): fc.Arbitrary<Record<string, unknown>> =>
  fc.uniqueArray(idArb, { minLength: 1, maxLength: 4 }).chain((ids) =>
    fc.record(
      {
        ids: fc.constant(ids),
        embeddings: fc.array(vectorArb(dim), { minLength: ids.length, maxLength: ids.length }),
        documents: fc.array(
          fc.option(
            fc.constantFrom(
              "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!",
              "doc",
              "'; DROP TABLE records; --",
              "😀",
              HUGE,
            ),
            { nil: null },
          ),
          {
            minLength: ids.length,
            maxLength: ids.length,
          },
        ),
        metadatas: fc.array(metadataArb, { minLength: ids.length, maxLength: ids.length }),
        uris: fc.array(fc.option(fc.constantFrom("file:///x", "", "\uD800"), { nil: null }), {
          minLength: ids.length,
          maxLength: ids.length,
        }),
      },
      { requiredKeys: ["ids"] },
    ),
  );

/** Valid-looking get / delete / query options. */
export const readArb = (dim: number): fc.Arbitrary<Record<string, unknown>> =>
  fc.record(
    {
      ids: fc.array(idArb, { maxLength: 3 }),
      where: whereArb,
      whereDocument: whereDocumentArb,
      limit: fc.oneof(fc.nat(20), fc.constantFrom(2 ** 31, 2 ** 53 - 1, 1e300)),
      offset: fc.oneof(fc.nat(5), fc.constantFrom(2 ** 53 - 1, 1e300)),
      include: fc.subarray(["documents", "embeddings", "metadatas", "uris", "distances"]),
      queryEmbeddings: fc.oneof(fc.array(vectorArb(dim), { minLength: 1, maxLength: 3 }), vectorArb(dim)),
      queryTexts: fc.oneof(
        fc.array(fc.constantFrom("doc", HUGE, ""), { minLength: 1, maxLength: 2 }),
        fc.constant("doc"),
      ),
      nResults: fc.oneof(fc.nat(20), fc.constantFrom(2 ** 31, 2 ** 53 - 1, 1e300)),
    },
    { requiredKeys: [] },
  );

/** Replaces one part of an options bag (or the bag itself, or adds an unknown key) with a hostile value. */
export const mutate = (base: fc.Arbitrary<Record<string, unknown>>): fc.Arbitrary<unknown> =>
  fc.oneof(
    base,
    fc.tuple(base, fc.nat(), hostileArb).map(([options, pick, bad]) => {
      const keys = Object.keys(options);
      if (keys.length === 0) return { ...options, [String(pick % 2 ? "idz" : "where")]: bad };
      const key = keys[pick % keys.length]!;
      const value = options[key];
      if (Array.isArray(value) && value.length > 0 && pick % 3 === 0) {
        const copy = [...value];
        copy[pick % copy.length] = bad;
        return { ...options, [key]: copy };
      }
      return { ...options, [key]: bad };
    }),
    fc.tuple(base, hostileArb).map(([options, bad]) => ({ ...options, unknownOption: bad })),
    hostileArb,
  );
