/**
 * HNSW save/load: a round trip preserves everything, and every kind of damaged or mismatched file makes
 * `load` return null without throwing — and without reaching hnswlib's reader, which could crash the process
 * (if it did, this test worker would die and the run would fail).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { crc32 } from "node:zlib";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { HnswIndex, type HnswIndexOptions } from "../../src/index/index";
import { createRng } from "../../../testing/src/datasets";

const DIM = 16;
const OPTIONS: HnswIndexOptions = { space: "cosine", dimension: DIM, initialCapacity: 100 };

function randomVectors(seed: number, n: number): Float32Array[] {
  const rng = createRng(seed);
  return Array.from({ length: n }, () => Float32Array.from({ length: DIM }, () => rng.gaussian()));
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "cairn-hnsw-"));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function buildAndSave(watermark = 42): HnswIndex {
  const index = new HnswIndex({ ...OPTIONS, efSearch: 64 });
  const vectors = randomVectors(1, 500);
  index.upsert(
    vectors.map((_, i) => i * 2),
    vectors,
  );
  index.remove([0, 2, 4, 998]);
  index.save(dir, { watermark });
  return index;
}

const sidecarPath = () => join(dir, "hnsw.json");
const readSidecar = () => JSON.parse(readFileSync(sidecarPath(), "utf8")) as Record<string, unknown>;
const dataPath = () => join(dir, readSidecar().file as string);

describe("HnswIndex persistence", () => {
  it("round-trips vectors, tombstones, parameters and the watermark", () => {
    const saved = buildAndSave(42);
    const loaded = HnswIndex.load(dir, OPTIONS);
    expect(loaded).not.toBeNull();
    const { index, watermark } = loaded!;
    expect(watermark).toBe(42);
    expect(index.size()).toBe(saved.size());
    expect(index.stats()).toEqual(saved.stats());
    expect(new Set(index.deletedLabels())).toEqual(new Set([0, 2, 4, 998]));
    expect(index.has(0)).toBe(false);
    expect(index.has(6)).toBe(true);
    expect(index.params).toEqual(saved.params);
    for (const q of randomVectors(2, 20)) {
      expect(index.search(q, 10)).toEqual(saved.search(q, 10));
      expect(index.search(q, 5, { allowed: [6, 8, 10, 0] })).toEqual(
        saved.search(q, 5, { allowed: [6, 8, 10, 0] }),
      );
    }
    // Still writable: revive a tombstone (hnswlib kept the mark in its file) and grow past the capacity.
    const more = randomVectors(3, 200);
    index.upsert([0], [more[0]!]);
    expect(index.search(more[0]!, 1).labels).toEqual([0]);
    index.upsert(
      more.map((_, i) => 10_000 + i),
      more,
    );
    expect(index.size()).toBe(saved.size() + 201);
  });

  it("rebuilds kept vectors from the file when keepVectors is set", () => {
    const saved = buildAndSave();
    const kept = HnswIndex.load(dir, { ...OPTIONS, keepVectors: true, exactScanLimit: 1e9 })!.index;
    const viaGetPoint = HnswIndex.load(dir, { ...OPTIONS, exactScanLimit: 1e9 })!.index;
    const allowed = [0, 2, 6, 8, 10, 12, 400, 998];
    for (const q of randomVectors(7, 10)) {
      const expected = viaGetPoint.search(q, 5, { allowed });
      const actual = kept.search(q, 5, { allowed });
      expect(actual.labels).toEqual(expected.labels);
      actual.distances.forEach((d, i) => {
        expect(d).toBeCloseTo(expected.distances[i]!, 5);
      });
      expect(actual.labels).not.toContain(0);
    }
    expect(kept.size()).toBe(saved.size());
  });

  it("applies mutable parameters given to load, and rejects other creation-time ones", () => {
    buildAndSave();
    expect(HnswIndex.load(dir, { ...OPTIONS, efSearch: 300, resizeFactor: 2 })!.index.params).toMatchObject({
      efSearch: 300,
      resizeFactor: 2,
      maxNeighbors: 16,
    });
    expect(HnswIndex.load(dir, { ...OPTIONS, efSearch: undefined })!.index.params.efSearch).toBe(64);
    expect(HnswIndex.load(dir, { ...OPTIONS, maxNeighbors: 32 })).toBeNull();
    expect(HnswIndex.load(dir, { ...OPTIONS, efConstruction: 200 })).toBeNull();
    expect(HnswIndex.load(dir, { ...OPTIONS, space: "l2" })).toBeNull();
    expect(HnswIndex.load(dir, { ...OPTIONS, dimension: DIM + 1 })).toBeNull();
  });

  it("replaces the previous save and leaves no temporary files", () => {
    const index = buildAndSave(1);
    const first = readSidecar().file;
    index.upsert([5000], [randomVectors(9, 1)[0]!]);
    index.save(dir, { watermark: 2 });
    const files = readdirSync(dir).sort();
    expect(files).toHaveLength(2);
    expect(files).toContain("hnsw.json");
    expect(files).not.toContain(first);
    expect(HnswIndex.load(dir, OPTIONS)!.watermark).toBe(2);
    expect(HnswIndex.load(dir, OPTIONS)!.index.has(5000)).toBe(true);
  });

  it("saves and loads an empty index", () => {
    new HnswIndex(OPTIONS).save(dir, { watermark: 0 });
    const loaded = HnswIndex.load(dir, OPTIONS)!;
    expect(loaded.index.size()).toBe(0);
    expect(loaded.index.search(randomVectors(1, 1)[0]!, 3).labels).toEqual([]);
  });

  describe("returns null for damaged or missing files", () => {
    const damage: Record<string, () => void> = {
      "a missing directory": () => rmSync(dir, { recursive: true, force: true }),
      "a missing sidecar": () => rmSync(sidecarPath()),
      "a missing data file": () => rmSync(dataPath()),
      "a truncated data file": () => truncateSync(dataPath(), 1000),
      "a data file cut by one byte": () => truncateSync(dataPath(), (readSidecar().bytes as number) - 1),
      "a zero-length data file": () => truncateSync(dataPath(), 0),
      "a garbage data file of the right size": () => {
        const rng = createRng(5);
        writeFileSync(
          dataPath(),
          Uint8Array.from({ length: readSidecar().bytes as number }, () => rng.int(256)),
        );
      },
      "one flipped byte in the vectors": () => {
        const bytes = readFileSync(dataPath());
        bytes[5000] = (bytes[5000] as number) ^ 0xff;
        writeFileSync(dataPath(), bytes);
      },
      "corrupted graph links (hnswlib loads these, then segfaults on search)": () => {
        const bytes = readFileSync(dataPath());
        const perElement = Number(bytes.readBigUInt64LE(24));
        // Level-0 neighbour ids of every element → out of range. Measured: readIndex accepts the file and the
        // next searchKnn kills the process with SIGSEGV, so only the checksum protects us here.
        for (let e = 0; e < 500; e++)
          for (let j = 1; j <= 32; j++) bytes.writeUInt32LE(0x7fffffff, 96 + e * perElement + j * 4);
        writeFileSync(dataPath(), bytes);
      },
      "garbage whose sidecar checksum was forged to match": () => {
        // Size and CRC agree, so only the header cross-check stands between this file and hnswlib.
        const rng = createRng(6);
        const garbage = Uint8Array.from({ length: readSidecar().bytes as number }, () => rng.int(256));
        writeFileSync(dataPath(), garbage);
        writeFileSync(sidecarPath(), JSON.stringify({ ...readSidecar(), crc32: crc32(garbage) }));
      },
      "a header claiming more elements, checksum forged": () => {
        const bytes = readFileSync(dataPath());
        bytes.writeBigUInt64LE(10_000_000n, 16);
        writeFileSync(dataPath(), bytes);
        writeFileSync(sidecarPath(), JSON.stringify({ ...readSidecar(), crc32: crc32(bytes) }));
      },
      "a garbage sidecar": () => writeFileSync(sidecarPath(), "\u0000\u0001not json"),
      "a truncated sidecar": () =>
        writeFileSync(sidecarPath(), readFileSync(sidecarPath(), "utf8").slice(0, 40)),
      "an empty sidecar": () => writeFileSync(sidecarPath(), ""),
      "a sidecar of another format version": () =>
        writeFileSync(sidecarPath(), JSON.stringify({ ...readSidecar(), format: "cairn-hnsw/0" })),
      "a sidecar with a wrong size": () =>
        writeFileSync(
          sidecarPath(),
          JSON.stringify({ ...readSidecar(), bytes: (readSidecar().bytes as number) + 1 }),
        ),
      "a sidecar with a wrong crc": () =>
        writeFileSync(
          sidecarPath(),
          JSON.stringify({ ...readSidecar(), crc32: ((readSidecar().crc32 as number) + 1) >>> 0 }),
        ),
      "a sidecar with a wrong element count": () =>
        writeFileSync(sidecarPath(), JSON.stringify({ ...readSidecar(), count: 499 })),
      "a sidecar listing a deleted label the file does not have": () =>
        writeFileSync(sidecarPath(), JSON.stringify({ ...readSidecar(), deleted: [0, 2, 4, 998, 777_777] })),
      "a sidecar with a path outside the directory": () =>
        writeFileSync(sidecarPath(), JSON.stringify({ ...readSidecar(), file: "../hnsw-x.bin" })),
      "a sidecar with a missing field": () => {
        const { watermark: _, ...rest } = readSidecar();
        writeFileSync(sidecarPath(), JSON.stringify(rest));
      },
    };
    for (const [name, corrupt] of Object.entries(damage)) {
      it(name, () => {
        buildAndSave();
        expect(HnswIndex.load(dir, OPTIONS)).not.toBeNull();
        corrupt();
        expect(HnswIndex.load(dir, OPTIONS)).toBeNull();
      });
    }
  });
});
