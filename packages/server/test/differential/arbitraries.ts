/**
 * Random operation sequences for the differential test, restricted to what both Chroma 1.0 and Cairn define
 * the same way. Each restriction names the deliberate difference (docs/server-api.md) or Chroma quirk it avoids.
 */
import fc from "fast-check";

/** A collection's space. */
export type Space = "l2" | "cosine" | "ip";
/** A record's scalar metadata. */
export type Meta = Record<string, string | number | boolean>;
/** Fields a get/query may include. */
export type Include = "documents" | "metadatas" | "embeddings" | "uris" | "distances";
/** A filter object (Chroma grammar). */
export type Filter = Record<string, unknown>;

/** A record of a write; `pick` chooses an id when the op runs (live, deleted or new, depending on the op). */
export interface RecordSpec {
  pick: number;
  vector: number[];
  document: string | null;
  metadata: Meta | null;
  uri: string | null;
}

/** One operation. */
export type Op =
  | { kind: "add"; records: RecordSpec[]; reviveDeleted: boolean }
  | { kind: "upsert"; records: RecordSpec[]; withDocuments: boolean }
  | { kind: "update"; records: RecordSpec[]; fields: "vectors+documents" | "metadatas" | "all" }
  | { kind: "delete"; picks: number[]; where: Filter | null }
  | {
      kind: "get";
      picks: number[] | null;
      where: Filter | null;
      whereDocument: Filter | null;
      limit: number | null;
      offset: number | null;
      include: Include[] | null;
    }
  | {
      kind: "query";
      vectors: number[][];
      nResults: number;
      where: Filter | null;
      whereDocument: Filter | null;
      picks: number[] | null;
      include: Include[] | null;
    };

const WORDS = ["apple", "banana", "cherry", "date", "elder"] as const;
const COLORS = ["red", "green", "blue"] as const;

// Small integer components: exact float32 distances, and many ties (compared "in any order").
const vectorArb = fc
  .tuple(fc.integer({ min: -3, max: 3 }), fc.integer({ min: -3, max: 3 }), fc.integer({ min: -3, max: 3 }))
  .map((v) => (v.every((x) => x === 0) ? [1, 0, 0] : v)); // a zero vector has no cosine direction

const documentArb = fc.option(
  fc.array(fc.constantFrom(...WORDS), { minLength: 1, maxLength: 3 }).map((w) => w.join(" ")),
  { nil: null },
);

// `f` is never an integer: Chroma 1.0 truncates float operands compared with int-typed values (a quirk).
const metadataArb: fc.Arbitrary<Meta | null> = fc.option(
  fc.record(
    {
      color: fc.constantFrom(...COLORS),
      n: fc.integer({ min: 0, max: 5 }),
      f: fc.integer({ min: 0, max: 5 }).map((x) => x + 0.5),
      flag: fc.boolean(),
    },
    { requiredKeys: [] },
  ),
  { nil: null },
);

const uriArb = fc.option(fc.constantFrom("s3://a", "file:///b", "https://c"), { nil: null });
const recordArb: fc.Arbitrary<RecordSpec> = fc.record({
  pick: fc.nat(),
  vector: vectorArb,
  document: documentArb,
  metadata: metadataArb,
  uri: uriArb,
});
const recordsArb = fc.array(recordArb, { minLength: 1, maxLength: 4 });

const leafArb: fc.Arbitrary<Filter> = fc.oneof(
  fc.constantFrom(...COLORS).map((c) => ({ color: c })),
  fc.constantFrom(...COLORS).map((c) => ({ color: { $ne: c } })),
  fc.subarray([...COLORS], { minLength: 1 }).map((a) => ({ color: { $nin: a } })),
  fc.integer({ min: 0, max: 5 }).map((k) => ({ n: { $gt: k } })),
  fc.integer({ min: 0, max: 5 }).map((k) => ({ n: { $lte: k } })),
  fc.subarray([0, 1, 2, 3, 4, 5], { minLength: 1 }).map((a) => ({ n: { $in: a } })),
  fc.integer({ min: 0, max: 5 }).map((k) => ({ f: { $lt: k + 0.25 } })),
  fc.boolean().map((b) => ({ flag: b })),
);

/** A `where` filter: a leaf or a two-clause `$and` / `$or`. */
export const whereArb: fc.Arbitrary<Filter> = fc.oneof(
  { weight: 2, arbitrary: leafArb },
  { weight: 1, arbitrary: fc.tuple(leafArb, leafArb).map(([a, b]) => ({ $and: [a, b] })) },
  { weight: 1, arbitrary: fc.tuple(leafArb, leafArb).map(([a, b]) => ({ $or: [a, b] })) },
);

const whereDocumentArb: fc.Arbitrary<Filter> = fc.oneof(
  fc.constantFrom(...WORDS).map((w) => ({ $contains: w })),
  fc.constantFrom(...WORDS).map((w) => ({ $not_contains: w })),
);

const includeArb = (fields: Include[]) => fc.subarray(fields);
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: null, freq: 2 });
const picksArb = fc.array(fc.nat(), { minLength: 1, maxLength: 4 });

/** One operation (writes and reads in roughly equal measure). */
export const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant("add" as const),
      records: recordsArb,
      reviveDeleted: fc.boolean(),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("upsert" as const),
      records: recordsArb,
      withDocuments: fc.boolean(),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("update" as const),
      records: recordsArb,
      fields: fc.constantFrom("vectors+documents" as const, "metadatas" as const, "all" as const),
    }),
  },
  // No `limit`: Chroma 1.0 ignores it on delete (deletes every match), Cairn honours it.
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant("delete" as const), picks: picksArb, where: maybe(whereArb) }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant("get" as const),
      picks: maybe(picksArb),
      where: maybe(whereArb),
      whereDocument: maybe(whereDocumentArb),
      limit: maybe(fc.integer({ min: 0, max: 6 })),
      offset: maybe(fc.integer({ min: 0, max: 4 })),
      include: maybe(includeArb(["documents", "metadatas", "embeddings", "uris"])),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant("query" as const),
      vectors: fc.array(vectorArb, { minLength: 1, maxLength: 2 }),
      nResults: fc.integer({ min: 1, max: 8 }),
      where: maybe(whereArb),
      whereDocument: maybe(whereDocumentArb),
      picks: maybe(picksArb),
      include: maybe(includeArb(["documents", "metadatas", "embeddings", "uris", "distances"])),
    }),
  },
);

/** A sequence: the collection's space, a seed batch, then the operations. */
export const sequenceArb = (ops: number) =>
  fc.record({
    space: fc.constantFrom<Space>("l2", "cosine", "ip"),
    seed: fc.array(recordArb, { minLength: 3, maxLength: 6 }),
    ops: fc.array(opArb, { minLength: ops, maxLength: ops }),
  });
