/**
 * The read planner (pure) and the plans the engine really runs: each query's plan names the strategy the
 * index module chose, and the engine's answers equal a brute-force reference whatever the strategy.
 */
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { type CollectionConfig, DEFAULT_HNSW } from "../../src/config";
import { distanceFn } from "../../src/distance";
import { Engine } from "../../src/engine";
import type { CollectionInfo } from "../../src/engine/index-manager";
import { hydrationOf, planGet, planQuery, type QueryRequest } from "../../src/engine/planner";
import { DimensionMismatchError } from "../../src/errors";
import { parseWhere } from "../../src/filter";
import { chooseStrategy } from "../../src/index/index";
import { type IncludeField, type Space, silentLogger } from "../../src/types";

const config = (space: Space = "l2"): CollectionConfig => ({
  hnsw: { ...DEFAULT_HNSW, space },
  embedding_function: null,
});
const collection: CollectionInfo = { id: "c1", name: "docs", dimension: 3, config: config() };
const vec = (...xs: number[]) => new Float32Array(xs);
const query = (over: Partial<QueryRequest> = {}): QueryRequest => ({
  vectors: [vec(1, 0, 0)],
  k: 10,
  selection: {},
  include: ["documents", "metadatas", "distances"],
  ...over,
});

describe("planGet", () => {
  it("pages with defaults and never hydrates distances", () => {
    const plan = planGet(
      { selection: { ids: ["a"] }, page: {}, include: ["documents", "distances"] as IncludeField[] },
      collection,
    );
    expect(plan).toEqual({
      kind: "get",
      collectionId: "c1",
      selection: { ids: ["a"] },
      page: { limit: null, offset: 0 },
      hydration: { documents: true, metadatas: false, embeddings: false, uris: false, distances: false },
    });
    expect(planGet({ selection: {}, page: { limit: 5, offset: 2 }, include: [] }, collection).page).toEqual({
      limit: 5,
      offset: 2,
    });
  });

  it("maps every include field to its column", () => {
    const all: IncludeField[] = ["documents", "embeddings", "metadatas", "distances", "uris"];
    for (const field of all) {
      const h = hydrationOf([field]);
      for (const other of all) {
        const key = other as keyof typeof h;
        expect(h[key]).toBe(other === field);
      }
    }
  });
});

describe("planQuery", () => {
  it("plans an unfiltered query as one graph search", () => {
    const plan = planQuery(query(), collection, { indexed: 500, allowed: null });
    expect(plan.allowed).toEqual({ kind: "all" });
    expect(plan.strategy.kind).toBe("graph");
    expect(plan).toMatchObject({ kind: "query", k: 10, queries: 1, collectionId: "c1" });
    expect(plan.hydration.distances).toBe(true);
  });

  it("names the filters the allowed step resolves, and how many labels they matched", () => {
    const where = parseWhere({ tag: "a" })!;
    const plan = planQuery(query({ selection: { ids: ["x"], where } }), collection, {
      indexed: 500,
      allowed: 1,
    });
    expect(plan.allowed).toEqual({ kind: "labels", filters: ["ids", "where"], matched: 1 });
    expect(plan.strategy.kind).toBe("exact");
  });

  it("plans nothing to search when the filters match nothing, k is 0, or there are no vectors", () => {
    const where = parseWhere({ tag: "a" })!;
    expect(
      planQuery(query({ selection: { where } }), collection, { indexed: 9, allowed: 0 }).strategy.kind,
    ).toBe("empty");
    expect(planQuery(query({ k: 0 }), collection, { indexed: 9, allowed: null }).strategy.kind).toBe("empty");
    expect(
      planQuery(query(), { ...collection, dimension: null }, { indexed: 0, allowed: null }).strategy.kind,
    ).toBe("empty");
  });

  it("refuses a query vector of another dimension, naming it", () => {
    const request = query({ vectors: [vec(1, 0, 0), vec(1, 0)] });
    let error: unknown;
    try {
      planQuery(request, collection, { indexed: 9, allowed: null });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DimensionMismatchError);
    expect((error as DimensionMismatchError).code).toBe("DIMENSION_MISMATCH");
    expect((error as DimensionMismatchError).message).toMatch(
      /^queryEmbeddings\[1\]: collection 'docs' expects/,
    );
  });

  it("takes its strategy from chooseStrategy (storage vectors, the collection's ef) and is plain data", () => {
    const where = parseWhere({ tag: "a" })!;
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 100_000 }),
        fc.integer({ min: 0, max: 100_000 }),
        fc.integer({ min: 0, max: 300 }),
        fc.integer({ min: 1, max: 500 }),
        fc.boolean(),
        (indexed, allowed, k, ef, filtered) => {
          const info = {
            ...collection,
            config: { ...collection.config, hnsw: { ...DEFAULT_HNSW, ef_search: ef } },
          };
          const plan = planQuery(query({ k, selection: filtered ? { where } : {} }), info, {
            indexed,
            allowed: filtered ? allowed : null,
          });
          expect(plan.strategy).toEqual(
            chooseStrategy({ allowed: filtered ? allowed : null, indexed, k, ef, source: "storage" }),
          );
          expect(JSON.parse(JSON.stringify(plan))).toEqual(plan);
        },
      ),
    );
  });
});

// ---- the engine runs its plans -----------------------------------------------------------------------------

const engines: Engine[] = [];
afterEach(() => {
  for (const e of engines.splice(0)) e.close();
});

function engineWith(space: Space, vectors: Float32Array[], tags: string[]) {
  const engine = new Engine({ path: null, logger: silentLogger, busyTimeoutMs: 1000, durability: "normal" });
  engines.push(engine);
  const { collection: c } = engine.createCollection({
    tenant: "default_tenant",
    database: "default_database",
    name: "t",
    metadata: null,
    config: config(space),
    getOrCreate: false,
  });
  engine.writeRecords(c.id, "add", {
    ids: vectors.map((_, i) => `r${i}`),
    embeddings: vectors,
    documents: vectors.map((_, i) => `doc ${i}`),
    metadatas: tags.map((tag, i) => ({ tag, i })),
  });
  return { engine, id: c.id };
}

describe("the engine's plans", () => {
  const DIM = 3;
  const N = 400;
  const rand = (seed: number) => () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31 - 0.5;
  };
  const next = rand(7);
  const vectors = Array.from({ length: N }, () => vec(next(), next(), next()));
  // tag "a": 2 records, "b": ~10%, "c": the rest.
  const tags = vectors.map((_, i) => (i < 2 ? "a" : i % 10 === 0 ? "b" : "c"));

  it("picks the strategy by the filter's selectivity, and explains it", () => {
    const { engine, id } = engineWith("l2", vectors, tags);
    const explain = (tag: string | undefined, k = 10) =>
      engine.explainQuery(id, query({ k, selection: tag ? { where: parseWhere({ tag })! } : {} }));
    expect(explain(undefined).strategy.kind).toBe("graph");
    expect(explain("a")).toMatchObject({
      allowed: { kind: "labels", filters: ["where"], matched: 2 },
      strategy: { kind: "exact", source: "storage" },
    });
    // √(0.45 · 100 · 400) = 134 ≥ 40 matches of "b".
    expect(explain("b").strategy.kind).toBe("exact");
    expect(explain("c").strategy).toMatchObject({ kind: "overfetch", factor: 3 });
    expect(explain("zzz").strategy.kind).toBe("empty");
    expect(explain("c", 0).strategy.kind).toBe("empty");
  });

  it("returns column-wise results equal to brute force for every strategy", () => {
    for (const space of ["l2", "cosine", "ip"] as Space[]) {
      const { engine, id } = engineWith(space, vectors, tags);
      const distance = distanceFn(space);
      for (const tag of [undefined, "a", "b", "c", "zzz"]) {
        const q = vec(0.3, -0.2, 0.1);
        const request = query({
          vectors: [q, vec(-0.1, 0.4, 0)],
          k: 5,
          selection: tag ? { where: parseWhere({ tag })! } : {},
          include: ["documents", "metadatas", "distances", "embeddings"],
        });
        const got = engine.queryRecords(id, request);
        expect(got.ids).toHaveLength(2);
        for (const [qi, qv] of request.vectors.entries()) {
          const expected = vectors
            .map((v, i) => ({ i, d: distance(qv, v) }))
            .filter(({ i }) => tag === undefined || tags[i] === tag)
            .sort((a, b) => a.d - b.d)
            .slice(0, 5);
          const distances = got.distances[qi]!;
          expect(distances).toHaveLength(expected.length);
          for (const [j, d] of distances.entries()) expect(d).toBeCloseTo(expected[j]!.d, 5);
          const ids = got.ids[qi]!;
          ids.forEach((rid, j) => {
            const i = Number(rid.slice(1));
            if (tag) expect(tags[i]).toBe(tag);
            expect(got.documents[qi]![j]).toBe(`doc ${i}`);
            expect(got.metadatas[qi]![j]).toEqual({ tag: tags[i], i });
            expect(got.embeddings[qi]![j]).toEqual(Array.from(vectors[i]!));
          });
        }
        expect(got.uris).toEqual([]);
      }
    }
  });

  it("gets columns in insertion order with only the included fields", () => {
    const { engine, id } = engineWith("l2", vectors.slice(0, 5), tags.slice(0, 5));
    const got = engine.getRecords(id, {
      selection: {},
      page: { limit: 3, offset: 1 },
      include: ["metadatas"],
    });
    expect(got).toEqual({
      ids: ["r1", "r2", "r3"],
      documents: [],
      embeddings: [],
      metadatas: [
        { tag: "a", i: 1 },
        { tag: "c", i: 2 },
        { tag: "c", i: 3 },
      ],
      uris: [],
    });
  });
});
