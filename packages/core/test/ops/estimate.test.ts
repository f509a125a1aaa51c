/**
 * `estimate()` is the documented arithmetic over ESTIMATE_CONSTANTS: SQLite row packing (rows per page,
 * overflow pages), hnswlib's element size, the totals; and it reproduces the committed 100k bench run.
 */
import { ESTIMATE_CONSTANTS as C, estimate, hnswElementBytes, sqliteRowBytes } from "@cairndb/core";
import { expectCode } from "@cairndb/testing";
import { describe, expect, it } from "vitest";

describe("building blocks", () => {
  it("packs rows into 4 KiB pages and spills large ones to overflow pages", () => {
    expect(sqliteRowBytes(100)).toBe(4096 / Math.floor(4088 / 108)); // 37 rows per page
    expect(sqliteRowBytes(1600)).toBe(4096 / 2); // two rows per page
    expect(sqliteRowBytes(2100)).toBe(4096); // one row per page: half of it empty
    // 6,000 bytes: 489 + (6000 − 489) % 4092 = 1908 stay local, 4092 go to one overflow page.
    expect(sqliteRowBytes(6000)).toBe(4096 + 4096 / Math.floor(4088 / (1908 + 12)));
  });

  it("sizes an hnswlib element: vector, 2M level-0 links, label, link count, upper levels", () => {
    expect(hnswElementBytes(384, 16)).toBeCloseTo(1536 + 132 + 8 + 4 + 68 / 15, 10);
    expect(hnswElementBytes(8, 32)).toBeCloseTo(32 + 260 + 12 + 132 / 31, 10);
  });
});

describe("estimate", () => {
  it("adds the parts up from the constants", () => {
    const e = estimate({ records: 1000, dimension: 100, metadataBytes: 40, documentBytes: 100 });
    expect(e.input).toEqual({
      records: 1000,
      dimension: 100,
      metadataBytes: 40,
      metadataKeys: 2,
      documentBytes: 100,
      idBytes: 16,
      M: 16,
      efConstruction: 100,
    });
    const row = sqliteRowBytes(400 + 100 + 40 + 16 + C.recordRowOverhead) + C.recordIndexBytes;
    const meta = 2 * C.metadataBytesPerKey + 40 * C.metadataBytesPerByte;
    const fts = 100 * C.fullTextBytesPerByte + C.fullTextBytesPerDocument;
    expect(e.perRecord).toEqual({
      recordRow: row,
      metadataRows: meta,
      fullText: fts,
      hnswElement: hnswElementBytes(100, 16),
    });
    expect(e.sqliteBytes).toBeCloseTo(1000 * (row + meta + fts), 6);
    expect(e.indexFilesBytes).toBeCloseTo(2 * e.indexFileBytes, 6);
    expect(e.diskBytes).toBeCloseTo(e.sqliteBytes + e.indexFilesBytes, 6);
    expect(e.ramBytes).toBeCloseTo(
      C.ramBaseBytes + C.ramPerIndexByte * e.indexFileBytes + C.ramPerRecordBytes * 1000,
      6,
    );
    const micros =
      C.ingestMicrosFixed + C.ingestMicrosPerDimension * 100 + C.ingestMicrosPerByte * (140 + meta + fts);
    expect(e.ingestSeconds).toBeCloseTo((1000 * micros) / 1e6, 9);
    expect(e.ingestRecordsPerSecond).toBeCloseTo(1e6 / micros, 9);
  });

  it("grows with every input and has no documents' or metadata's cost without them", () => {
    const base = estimate({ records: 10_000, dimension: 384 });
    expect(base.perRecord.fullText).toBe(0);
    expect(base.perRecord.metadataRows).toBe(0);
    for (const more of [
      { records: 20_000 },
      { dimension: 768 },
      { metadataBytes: 200 },
      { documentBytes: 1000 },
      { M: 32 },
    ]) {
      const e = estimate({ records: 10_000, dimension: 384, ...more });
      expect(e.diskBytes, JSON.stringify(more)).toBeGreaterThan(base.diskBytes);
      expect(e.ingestSeconds, JSON.stringify(more)).toBeGreaterThanOrEqual(base.ingestSeconds);
    }
  });

  it("reproduces the committed 100k × 384 bench run within 25% (docs/benchmarks.md)", () => {
    // Bench shape: metadata {category, year, score, flag} (~65 JSON bytes), ~60-character documents.
    const e = estimate({ records: 100_000, dimension: 384, metadataBytes: 65, documentBytes: 60 });
    const within = (predicted: number, measured: number) => Math.abs(predicted - measured) / measured;
    expect(within(e.indexFileBytes, 160.6 * 2 ** 20)).toBeLessThan(0.25);
    expect(within(e.diskBytes, 599.5 * 2 ** 20)).toBeLessThan(0.25);
    expect(within(e.ramBytes, 409.2 * 2 ** 20)).toBeLessThan(0.25);
    expect(within(e.ingestRecordsPerSecond, 2279)).toBeLessThan(0.25);
  });

  it("rejects missing, negative and unknown inputs", async () => {
    const call = (input: unknown) => Promise.resolve().then(() => estimate(input as never));
    await expectCode(call({ dimension: 3 }), "INVALID_ARGUMENT");
    await expectCode(call({ records: 10 }), "INVALID_ARGUMENT");
    await expectCode(call({ records: -1, dimension: 3 }), "INVALID_ARGUMENT");
    await expectCode(call({ records: 1, dimension: 3, documentBytes: Number.NaN }), "INVALID_ARGUMENT");
    await expectCode(call({ records: 1, dimension: 3, dims: 3 }), "INVALID_ARGUMENT");
    await expectCode(call(null), "INVALID_ARGUMENT");
  });
});
