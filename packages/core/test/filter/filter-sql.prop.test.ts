import Database from "better-sqlite3";
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { type FilterRecord, filterRecordArb, whereArb, whereDocumentArb } from "@cairndb/testing";
import { CairnError } from "../../src/errors";
import { evaluateWhere, evaluateWhereDocument, parseWhere, parseWhereDocument } from "../../src/filter";
import { type SqlFragment, whereDocumentToSql, whereToSql } from "../../src/storage/filter-sql";
import { metadataToRows } from "../../src/storage/metadata-rows";
import { MIGRATIONS } from "../../src/storage/schema";
import { registerSqlFunctions } from "../../src/storage/sql-functions";
import type { Metadata } from "../../src/types";

const A = "collection-a";
const B = "collection-b";
const DUMMY_EMBEDDING = Buffer.alloc(4);

function openDb(): Database.Database {
  const db = new Database(":memory:");
  for (const migration of MIGRATIONS) db.exec(migration);
  registerSqlFunctions(db);
  return db;
}

/** Inserts records the way the writer does and returns their labels (ascending). */
function insertRecords(
  db: Database.Database,
  collectionId: string,
  records: readonly FilterRecord[],
): number[] {
  const insertRecord = db.prepare(
    "INSERT INTO records (collection_id, id, seq, embedding, document, metadata) VALUES (?, ?, 1, ?, ?, ?)",
  );
  const insertRow = db.prepare(
    "INSERT INTO record_metadata (label, collection_id, key, type, str, num, is_array) VALUES (?, ?, ?, ?, ?, ?, ?)",
  );
  const insertFts = db.prepare("INSERT INTO records_fts (rowid, document) VALUES (?, ?)");
  const labels: number[] = [];
  db.transaction(() => {
    records.forEach((record, i) => {
      const metadata = record.metadata === null ? null : JSON.stringify(record.metadata);
      const { lastInsertRowid } = insertRecord.run(
        collectionId,
        `id-${i}`,
        DUMMY_EMBEDDING,
        record.document,
        metadata,
      );
      const label = Number(lastInsertRowid);
      labels.push(label);
      for (const row of metadataToRows(record.metadata ?? {})) {
        insertRow.run(label, collectionId, row.key, row.type, row.str, row.num, row.isArray);
      }
      if (record.document !== null) insertFts.run(label, record.document);
    });
  })();
  return labels;
}

/** Runs a fragment and returns the labels in ascending order, duplicates kept (they would be a bug). */
function selectLabels(db: Database.Database, fragment: SqlFragment): number[] {
  const labels = db
    .prepare(fragment.sql)
    .pluck()
    .all(...fragment.params) as number[];
  return labels.sort((x, y) => x - y);
}

/** How the engine ANDs a `where` and a `whereDocument`: INTERSECT of the two fragments. */
function intersect(a: SqlFragment, b: SqlFragment): SqlFragment {
  return {
    sql: `SELECT label FROM (${a.sql}) INTERSECT SELECT label FROM (${b.sql})`,
    params: [...a.params, ...b.params],
  };
}

interface Seeded {
  collectionId: string;
  records: readonly FilterRecord[];
  labels: number[];
}

function seed(db: Database.Database, a: readonly FilterRecord[], b: readonly FilterRecord[]): Seeded[] {
  return [
    { collectionId: A, records: a, labels: insertRecords(db, A, a) },
    { collectionId: B, records: b, labels: insertRecords(db, B, b) },
  ];
}

const recordsArb = fc.array(filterRecordArb, { maxLength: 25 });
const otherRecordsArb = fc.array(filterRecordArb, { maxLength: 8 });

describe("filter SQL selects exactly what the reference evaluator accepts", () => {
  it("where", () => {
    const wheres = fc.array(whereArb(), { minLength: 1, maxLength: 8 });
    fc.assert(
      fc.property(recordsArb, otherRecordsArb, wheres, (recordsA, recordsB, whereList) => {
        const db = openDb();
        try {
          const collections = seed(db, recordsA, recordsB);
          for (const where of whereList) {
            const node = parseWhere(where);
            for (const { collectionId, records, labels } of collections) {
              const expected = labels.filter((_, i) => evaluateWhere(node, records[i]!.metadata));
              expect(selectLabels(db, whereToSql(node, collectionId))).toEqual(expected);
            }
          }
        } finally {
          db.close();
        }
      }),
      { numRuns: 300 },
    );
  });

  it("where, wide and flat (sibling clauses merged into one lookup)", () => {
    const wheres = fc.array(whereArb({ maxDepth: 2, maxChildren: 12 }), { minLength: 1, maxLength: 4 });
    fc.assert(
      fc.property(recordsArb, otherRecordsArb, wheres, (recordsA, recordsB, whereList) => {
        const db = openDb();
        try {
          const collections = seed(db, recordsA, recordsB);
          for (const where of whereList) {
            const node = parseWhere(where);
            for (const { collectionId, records, labels } of collections) {
              const expected = labels.filter((_, i) => evaluateWhere(node, records[i]!.metadata));
              expect(selectLabels(db, whereToSql(node, collectionId))).toEqual(expected);
            }
          }
        } finally {
          db.close();
        }
      }),
      { numRuns: 200 },
    );
  });

  it("whereDocument", () => {
    const filters = fc.array(whereDocumentArb(), { minLength: 1, maxLength: 8 });
    fc.assert(
      fc.property(recordsArb, otherRecordsArb, filters, (recordsA, recordsB, filterList) => {
        const db = openDb();
        try {
          const collections = seed(db, recordsA, recordsB);
          for (const whereDocument of filterList) {
            const node = parseWhereDocument(whereDocument);
            for (const { collectionId, records, labels } of collections) {
              const expected = labels.filter((_, i) => evaluateWhereDocument(node, records[i]!.document));
              expect(selectLabels(db, whereDocumentToSql(node, collectionId))).toEqual(expected);
            }
          }
        } finally {
          db.close();
        }
      }),
      { numRuns: 300 },
    );
  });

  it("where AND whereDocument, composed as the engine composes them", () => {
    fc.assert(
      fc.property(
        recordsArb,
        otherRecordsArb,
        whereArb(),
        whereDocumentArb(),
        (recordsA, recordsB, w, wd) => {
          const db = openDb();
          try {
            const where = parseWhere(w);
            const whereDocument = parseWhereDocument(wd);
            for (const { collectionId, records, labels } of seed(db, recordsA, recordsB)) {
              const expected = labels.filter(
                (_, i) =>
                  evaluateWhere(where, records[i]!.metadata) &&
                  evaluateWhereDocument(whereDocument, records[i]!.document),
              );
              const fragment = intersect(
                whereToSql(where, collectionId),
                whereDocumentToSql(whereDocument, collectionId),
              );
              expect(selectLabels(db, fragment)).toEqual(expected);
            }
          } finally {
            db.close();
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe("filter SQL at scale", () => {
  let db: Database.Database | undefined;
  afterEach(() => db?.close());

  function seedNumbers(count: number, withDocuments = true): number[] {
    db = openDb();
    const records = Array.from({ length: count }, (_, n) => ({
      document: withDocuments ? `doc ${n};` : null,
      metadata: { n, m: -n, s: `s${n}`, even: n % 2 === 0 } as Metadata,
    }));
    return insertRecords(db, A, records);
  }

  it("$in / $nin with 100,000 values bind one parameter and match 50,000 records", () => {
    seedNumbers(100_000, false);
    const evens = Array.from({ length: 100_000 }, (_, i) => i * 2);
    const inNumbers = whereToSql(parseWhere({ n: { $in: evens } }), A);
    expect(inNumbers.params).toHaveLength(3);
    expect(selectLabels(db!, inNumbers)).toHaveLength(50_000);
    expect(selectLabels(db!, whereToSql(parseWhere({ n: { $nin: evens } }), A))).toHaveLength(50_000);
    const strings = evens.map((n) => `s${n}`);
    expect(selectLabels(db!, whereToSql(parseWhere({ s: { $in: strings } }), A))).toHaveLength(50_000);
    expect(selectLabels(db!, whereToSql(parseWhere({ even: true }), A))).toHaveLength(50_000);
  });

  it("runs filters of 10,000 clauses (beyond SQLite's 500-term compound limit)", { timeout: 300_000 }, () => {
    seedNumbers(1_000);
    const count = (where: unknown) => selectLabels(db!, whereToSql(parseWhere(where), A)).length;
    const clauses = <T>(make: (i: number) => T) => Array.from({ length: 9_999 }, (_, i) => make(i));
    expect(count({ $or: clauses((i) => (i % 2 === 0 ? { n: i % 500 } : { m: -(i % 500) })) })).toBe(500);
    expect(count({ $and: clauses((i) => ({ n: { $ne: i % 250 } })) })).toBe(750);
    expect(count({ $or: clauses((i) => ({ n: { $ne: i % 2 } })) })).toBe(1_000);
    expect(count({ $or: clauses((i) => ({ [i % 2 === 0 ? "n" : "m"]: { $gt: 990 + (i % 5) } })) })).toBe(9);
    expect(
      count({ $and: clauses((i) => (i % 2 === 0 ? { n: { $lt: 500 + i } } : { s: { $nin: ["s7"] } })) }),
    ).toBe(499);
    // Sub-trees that cannot be merged cost one table reference each (quadratic in SQLite beyond thousands).
    const conjunctions = Array.from({ length: 1_000 }, (_, i) => ({
      $and: [{ n: i % 100 }, { m: { $lte: 0 } }],
    }));
    expect(count({ $or: conjunctions })).toBe(100);
    const documents = Array.from({ length: 9_999 }, (_, i) => ({ $not_contains: `doc ${i % 100};` }));
    expect(selectLabels(db!, whereDocumentToSql(parseWhereDocument({ $and: documents }), A))).toHaveLength(
      900,
    );
    const regexes = Array.from({ length: 1_000 }, (_, i) => ({ $regex: `^doc ${i % 100};` }));
    expect(selectLabels(db!, whereDocumentToSql(parseWhereDocument({ $or: regexes }), A))).toHaveLength(100);
  });

  it("runs a filter nested 64 levels deep", () => {
    seedNumbers(10);
    let where: unknown = { n: { $gte: 3 } };
    for (let level = 1; level < 64; level++) {
      where = level % 2 === 0 ? { $and: [where, { n: { $gte: 0 } }] } : { $or: [where, { n: -1 }] };
    }
    expect(selectLabels(db!, whereToSql(parseWhere(where), A))).toHaveLength(7);
  });

  it("uses the indexes: metadata by (collection, key, value), documents through the trigram index", () => {
    seedNumbers(10);
    const plan = (fragment: SqlFragment) =>
      (db!.prepare(`EXPLAIN QUERY PLAN ${fragment.sql}`).all(...fragment.params) as { detail: string }[])
        .map((row) => row.detail)
        .join("\n");
    expect(plan(whereToSql(parseWhere({ s: "x" }), A))).toContain("record_metadata_by_str");
    expect(plan(whereToSql(parseWhere({ n: { $gt: 1 } }), A))).toContain("record_metadata_by_num");
    expect(plan(whereToSql(parseWhere({ n: { $exists: true } }), A))).not.toContain("SCAN record_metadata");
    expect(plan(whereDocumentToSql(parseWhereDocument({ $contains: "doc" }), A))).toContain("records_fts");
    expect(plan(whereDocumentToSql(parseWhereDocument({ $contains: "do" }), A))).not.toContain("records_fts");
  });
});

describe("numbers in JSON lists", () => {
  it.each([-4.068198706935222e16, 9.094184057100541e18, 2 ** 53 + 2, 1e20, 0.1, 5e-324, -0])(
    "match %s exactly",
    (value) => {
      const db = openDb();
      try {
        const records = [value, 1, 2, value + 8, value * 2].map((n) => ({
          document: null,
          metadata: { n, m: n },
        }));
        const labels = insertRecords(db, A, records);
        const expected = labels.filter((_, i) => records[i]!.metadata.n === value);
        const select = (where: unknown) => selectLabels(db, whereToSql(parseWhere(where), A));
        expect(select({ n: { $in: [value, 3] } })).toEqual(expected);
        expect(select({ $or: [{ n: value }, { m: 3 }] })).toEqual(expected);
        expect(select({ $and: [{ n: { $in: [value, 3] } }, { m: { $in: [value, 4] } }] })).toEqual(expected);
      } finally {
        db.close();
      }
    },
  );
});

describe("metadataToRows", () => {
  it("encodes scalars and array elements as the schema describes", () => {
    expect(metadataToRows({ i: 2, f: 2.5, s: "x", b: true, c: false, tags: ["a", "b"], z: -0 })).toEqual([
      { key: "i", type: "i", str: null, num: 2, isArray: 0 },
      { key: "f", type: "f", str: null, num: 2.5, isArray: 0 },
      { key: "s", type: "s", str: "x", num: null, isArray: 0 },
      { key: "b", type: "b", str: null, num: 1, isArray: 0 },
      { key: "c", type: "b", str: null, num: 0, isArray: 0 },
      { key: "tags", type: "s", str: "a", num: null, isArray: 1 },
      { key: "tags", type: "s", str: "b", num: null, isArray: 1 },
      { key: "z", type: "i", str: null, num: -0, isArray: 0 },
    ]);
  });

  it("keeps own keys named like prototype members and skips null / undefined values", () => {
    const metadata = JSON.parse('{"__proto__": 1, "constructor": [true], "gone": null}') as Metadata;
    expect(metadataToRows(metadata)).toEqual([
      { key: "__proto__", type: "i", str: null, num: 1, isArray: 0 },
      { key: "constructor", type: "b", str: null, num: 1, isArray: 1 },
    ]);
  });

  it.each([
    ["NaN", { a: Number.NaN }],
    ["Infinity", { a: [1, Number.POSITIVE_INFINITY] }],
    ["empty array", { a: [] }],
    ["nested array", { a: [[1]] }],
    ["object", { a: { b: 1 } }],
  ])("rejects %s with INVALID_METADATA", (_name, metadata) => {
    expect(() => metadataToRows(metadata as unknown as Metadata)).toThrow(
      expect.objectContaining({ code: "INVALID_METADATA" }),
    );
  });
});

describe("cairn_regexp", () => {
  it("is registered, case-sensitive unless (?i), and 0 for NULL", () => {
    const db = openDb();
    try {
      const call = db.prepare("SELECT cairn_regexp(?, ?)").pluck();
      expect(call.get("(?i)refund", "REFUND")).toBe(1);
      expect(call.get("refund", "REFUND")).toBe(0);
      expect(call.get("x", null)).toBe(0);
      expect(() => call.get("(", "x")).toThrow(CairnError);
    } finally {
      db.close();
    }
  });
});
