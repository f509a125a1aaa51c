import { describe, expect, it } from "vitest";
import {
  applyConfigUpdate,
  DEFAULT_HNSW,
  resolveCreateConfig,
  validateCollectionName,
} from "../../src/config";

const noEf = { embeddingFunction: null };

describe("collection configuration", () => {
  it("defaults to Chroma's HNSW settings", () => {
    expect(resolveCreateConfig(undefined, undefined, noEf)).toEqual({
      hnsw: { ...DEFAULT_HNSW },
      embedding_function: null,
    });
    expect(resolveCreateConfig({}, null, noEf).hnsw).toEqual(DEFAULT_HNSW);
  });

  it("maps legacy hnsw:* metadata keys; an explicit configuration wins", () => {
    const fromMeta = resolveCreateConfig(
      undefined,
      { "hnsw:space": "ip", "hnsw:M": 32, "hnsw:construction_ef": 200, "hnsw:search_ef": 50 },
      noEf,
    );
    expect(fromMeta.hnsw).toMatchObject({
      space: "ip",
      max_neighbors: 32,
      ef_construction: 200,
      ef_search: 50,
    });
    const both = resolveCreateConfig({ hnsw: { space: "cosine" } }, { "hnsw:space": "ip" }, noEf);
    expect(both.hnsw.space).toBe("cosine");
  });

  it("uses the embedding function's preferred space only when none was given", () => {
    expect(
      resolveCreateConfig(undefined, undefined, { defaultSpace: "cosine", embeddingFunction: null }).hnsw
        .space,
    ).toBe("cosine");
    expect(
      resolveCreateConfig({ hnsw: { space: "l2" } }, undefined, {
        defaultSpace: "cosine",
        embeddingFunction: null,
      }).hnsw.space,
    ).toBe("l2");
  });

  it("maps spann to hnsw with the same space, rejects both at once", () => {
    expect(resolveCreateConfig({ spann: { space: "ip" } }, undefined, noEf).hnsw.space).toBe("ip");
    expect(() => resolveCreateConfig({ hnsw: {}, spann: {} }, undefined, noEf)).toThrow(
      expect.objectContaining({ code: "INVALID_CONFIGURATION" }),
    );
  });

  it.each([
    [{ hnsw: { space: "manhattan" } }, "configuration.hnsw.space"],
    [{ hnsw: { ef_search: 0 } }, "configuration.hnsw.ef_search"],
    [{ hnsw: { max_neighbors: 1.5 } }, "configuration.hnsw.max_neighbors"],
    [{ hnsw: { resize_factor: 1 } }, "configuration.hnsw.resize_factor"],
    [{ hnsw: { foo: 1 } }, "configuration.hnsw.foo"],
    [{ bogus: 1 }, "configuration.bogus"],
    [[], "configuration"],
  ])("rejects %j at %s", (configuration, path) => {
    expect(() => resolveCreateConfig(configuration, undefined, noEf)).toThrow(
      expect.objectContaining({ code: "INVALID_CONFIGURATION", details: { path } }),
    );
  });

  it("validates a relayed embedding function identity", () => {
    const ok = resolveCreateConfig(undefined, undefined, {
      embeddingFunction: { type: "known", name: "openai", config: { model_name: "m" } },
    });
    expect(ok.embedding_function).toEqual({ type: "known", name: "openai", config: { model_name: "m" } });
    expect(() =>
      resolveCreateConfig(undefined, undefined, { embeddingFunction: { type: "weird" } as never }),
    ).toThrow(expect.objectContaining({ code: "INVALID_CONFIGURATION" }));
  });

  it("modify changes only mutable settings", () => {
    const base = resolveCreateConfig(undefined, undefined, noEf);
    const next = applyConfigUpdate(base, { hnsw: { ef_search: 200, batch_size: 500 } });
    expect(next.hnsw).toMatchObject({ ef_search: 200, batch_size: 500, space: "l2" });
    expect(base.hnsw.ef_search).toBe(100);
    for (const key of ["space", "ef_construction", "max_neighbors"]) {
      expect(() => applyConfigUpdate(base, { hnsw: { [key]: 8 } })).toThrow(
        /cannot be changed after the collection is created/,
      );
    }
  });
});

describe("collection names", () => {
  it.each(["abc", "a".repeat(512), "a.b.c", "Abc-Def_1.x", "ABC"])("accepts %s", (name) => {
    expect(validateCollectionName(name)).toBe(name);
  });
  it.each([
    "ab",
    "a".repeat(513),
    "has space",
    "-abc",
    "abc-",
    "_abc",
    "abc_",
    "héllo",
    "a/b",
    "a:b",
    "a..b",
    "192.168.1.1",
    "",
    5,
    null,
  ])("rejects %j", (name) => {
    expect(() => validateCollectionName(name)).toThrow(
      expect.objectContaining({ code: "INVALID_COLLECTION_NAME" }),
    );
  });
});
