import { describe, expect, expectTypeOf, it } from "vitest";
import { DEFAULT_HNSW_PARAMS, type HnswParams, indexParamsOf } from "../../src/index/index";
import { DEFAULT_HNSW, type HnswConfig } from "../../src/types";

describe("HNSW parameters derived from HnswConfig", () => {
  it("camel-cases the graph settings and keeps their types", () => {
    expectTypeOf<HnswParams>().toEqualTypeOf<{
      maxNeighbors: HnswConfig["max_neighbors"];
      efConstruction: HnswConfig["ef_construction"];
      efSearch: HnswConfig["ef_search"];
      resizeFactor: HnswConfig["resize_factor"];
      seed: number;
    }>();
  });

  it("takes the index defaults from DEFAULT_HNSW", () => {
    const { seed, ...graph } = DEFAULT_HNSW_PARAMS;
    expect(seed).toBe(100);
    const { space, dimension, batchSize, ...fromConfig } = indexParamsOf(DEFAULT_HNSW, 8);
    expect(fromConfig).toEqual(graph);
    expect({ space, dimension, batchSize }).toEqual({ space: "l2", dimension: 8, batchSize: 100 });
  });

  it("maps every field of a collection's settings", () => {
    const hnsw: HnswConfig = {
      space: "cosine",
      ef_construction: 200,
      max_neighbors: 32,
      ef_search: 64,
      num_threads: 4,
      batch_size: 500,
      sync_threshold: 2000,
      resize_factor: 1.5,
    };
    expect(indexParamsOf(hnsw, 384)).toEqual({
      space: "cosine",
      dimension: 384,
      maxNeighbors: 32,
      efConstruction: 200,
      efSearch: 64,
      resizeFactor: 1.5,
      batchSize: 500,
    });
  });
});
