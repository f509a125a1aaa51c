/**
 * Model-based test (STYLE.md §8): random sequences of upsert / remove / search / flush / reopen run against
 * an HNSW-backed index and against FlatIndex as the model. The sets stay small (≤ 40 labels, ef 100 ≥ n), so
 * HNSW must return exactly the exact answer. Small integer coordinates make ties and zero vectors common.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { distanceFn } from "../../src/distance";
import { FlatIndex, HnswIndex, TieredIndex, type VectorIndex } from "../../src/index/index";
import type { Space } from "../../src/types";
import { expectSameTopK } from "./conformance";

const DIM = 4;
const MAX_LABEL = 40;

interface Model {
  flat: FlatIndex;
}
interface Real {
  index: VectorIndex;
  /** Saves and reloads the index from disk (HNSW-backed kinds only). */
  reopen(index: VectorIndex): VectorIndex;
}
type Cmd = fc.Command<Model, Real>;

const vectorArb = fc
  .array(fc.integer({ min: -3, max: 3 }), { minLength: DIM, maxLength: DIM })
  .map((xs) => Float32Array.from(xs));
const labelArb = fc.integer({ min: 0, max: MAX_LABEL });

class UpsertCmd implements Cmd {
  constructor(readonly items: { label: number; vector: Float32Array }[]) {}
  check = () => true;
  run(m: Model, r: Real): void {
    const labels = this.items.map((i) => i.label);
    const vectors = this.items.map((i) => i.vector);
    m.flat.upsert(labels, vectors);
    r.index.upsert(labels, vectors);
    expect(r.index.size()).toBe(m.flat.size());
  }
  toString = () => `upsert(${this.items.map((i) => `${i.label}:[${Array.from(i.vector)}]`).join(" ")})`;
}

class RemoveCmd implements Cmd {
  constructor(readonly labels: number[]) {}
  check = () => true;
  run(m: Model, r: Real): void {
    expect(r.index.remove(this.labels)).toBe(m.flat.remove(this.labels));
    for (const label of this.labels) expect(r.index.has(label)).toBe(false);
    expect(r.index.size()).toBe(m.flat.size());
  }
  toString = () => `remove(${this.labels})`;
}

class SearchCmd implements Cmd {
  constructor(
    readonly query: Float32Array,
    readonly k: number,
    readonly allowed: number[] | undefined,
  ) {}
  check = () => true;
  run(m: Model, r: Real): void {
    const options = this.allowed === undefined ? {} : { allowed: this.allowed };
    const expected = m.flat.search(this.query, this.k, options);
    const actual = r.index.search(this.query, this.k, options);
    const distance = distanceFn(m.flat.space);
    expectSameTopK(actual, expected, (label) => distance(this.query, m.flat.vector(label)!));
  }
  toString = () => `search([${Array.from(this.query)}], k=${this.k}, allowed=${this.allowed ?? "-"})`;
}

class FlushCmd implements Cmd {
  check = () => true;
  run(_m: Model, r: Real): void {
    if (r.index instanceof TieredIndex) r.index.flush();
  }
  toString = () => "flush()";
}

class ReopenCmd implements Cmd {
  check = () => true;
  run(m: Model, r: Real): void {
    r.index = r.reopen(r.index);
    expect(r.index.size()).toBe(m.flat.size());
    for (const label of m.flat.labels()) expect(r.index.has(label)).toBe(true);
  }
  toString = () => "reopen()";
}

const upsertArb = fc
  .array(fc.record({ label: labelArb, vector: vectorArb }), { minLength: 1, maxLength: 8 })
  .map((items) => new UpsertCmd(items));
const searchArb = fc
  .tuple(
    vectorArb,
    fc.integer({ min: 0, max: 12 }),
    fc.option(fc.array(labelArb, { maxLength: 15 }), { nil: undefined }),
  )
  .map(([q, k, allowed]) => new SearchCmd(q, k, allowed));
// Listed twice = drawn twice as often; reopen (three fsyncs) stays rare to keep the file fast.
const commands = fc.commands(
  [
    upsertArb,
    upsertArb,
    fc.array(labelArb, { minLength: 1, maxLength: 6 }).map((labels) => new RemoveCmd(labels)),
    searchArb,
    searchArb,
    fc.constant(new FlushCmd()),
    fc.constant(new ReopenCmd()),
  ],
  { maxCommands: 40 },
);

const tmpRoot = mkdtempSync(join(tmpdir(), "cairn-prop-"));
afterAll(() => rmSync(tmpRoot, { recursive: true, force: true }));
let reopenCount = 0;

type Kind = {
  name: string;
  create: (space: Space) => VectorIndex;
  load: (dir: string, space: Space) => VectorIndex | null;
};
const KINDS: Kind[] = [
  {
    name: "HnswIndex",
    create: (space) => new HnswIndex({ space, dimension: DIM, initialCapacity: 4 }),
    load: (dir, space) => HnswIndex.load(dir, { space, dimension: DIM })?.index ?? null,
  },
  {
    name: "HnswIndex (graph-filtered)",
    create: (space) => new HnswIndex({ space, dimension: DIM, exactScanLimit: 0 }),
    load: (dir, space) => HnswIndex.load(dir, { space, dimension: DIM, exactScanLimit: 0 })?.index ?? null,
  },
  {
    name: "HnswIndex (keepVectors, exact-filtered)",
    create: (space) => new HnswIndex({ space, dimension: DIM, keepVectors: true, exactScanLimit: 1e9 }),
    load: (dir, space) =>
      HnswIndex.load(dir, { space, dimension: DIM, keepVectors: true, exactScanLimit: 1e9 })?.index ?? null,
  },
  {
    name: "TieredIndex (batchSize 4)",
    create: (space) => new TieredIndex({ space, dimension: DIM, batchSize: 4 }),
    load: (dir, space) => TieredIndex.load(dir, { space, dimension: DIM, batchSize: 4 })?.index ?? null,
  },
];

describe("VectorIndex vs FlatIndex model", () => {
  for (const kind of KINDS) {
    for (const space of ["l2", "cosine", "ip"] as const) {
      it(`${kind.name}, ${space}`, () => {
        fc.assert(
          fc.property(commands, (cmds) => {
            const reopen = (index: VectorIndex): VectorIndex => {
              const dir = join(tmpRoot, String(reopenCount++));
              (index as HnswIndex | TieredIndex).save(dir, { watermark: reopenCount });
              const loaded = kind.load(dir, space);
              expect(loaded).not.toBeNull();
              return loaded!;
            };
            const setup = () => ({
              model: { flat: new FlatIndex({ space, dimension: DIM }) },
              real: { index: kind.create(space), reopen },
            });
            fc.modelRun(setup, cmds);
          }),
          { numRuns: 50 },
        );
      });
    }
  }
});
