/** Wire columns → the backend's columns: passed through as sent, holes filled the way Chroma's client reads them. */
import { describe, expect, it } from "vitest";
import { columnsFromGet, columnsFromQuery } from "../../src/http/wire";

describe("columnsFromGet", () => {
  it("passes complete columns through without copying", () => {
    const json = {
      ids: ["a", "b"],
      documents: ["x", null],
      metadatas: [{ k: 1 }, null],
      embeddings: [
        [1, 2],
        [3, 4],
      ],
      uris: [null, "u"],
    };
    const got = columnsFromGet(json, ["documents", "metadatas", "embeddings", "uris"]);
    expect(got.ids).toBe(json.ids);
    expect(got.documents).toBe(json.documents);
    expect(got.metadatas).toBe(json.metadatas);
    expect(got.embeddings).toBe(json.embeddings);
    expect(got.uris).toBe(json.uris);
  });

  it("reads excluded fields as [], missing columns as nulls and missing embeddings as []", () => {
    const got = columnsFromGet({ ids: ["a", "b"], embeddings: [null, [1]], documents: null }, [
      "documents",
      "embeddings",
    ]);
    expect(got).toEqual({
      ids: ["a", "b"],
      documents: [null, null],
      embeddings: [[], [1]],
      metadatas: [],
      uris: [],
    });
  });
});

describe("columnsFromQuery", () => {
  it("keeps one inner array per query and reads null distances as NaN", () => {
    const json = { ids: [["a"], []], distances: [[null], []], documents: [["x"], []] };
    const got = columnsFromQuery(json, ["documents", "distances"]);
    expect(got.ids).toBe(json.ids);
    expect(got.documents[0]).toBe(json.documents[0]);
    expect(got.distances).toEqual([[Number.NaN], []]);
    expect(got.metadatas).toEqual([]);
    expect(got.embeddings).toEqual([]);
  });

  it("passes complete distance columns through", () => {
    const json = { ids: [["a", "b"]], distances: [[0.1, 0.2]] };
    expect(columnsFromQuery(json, ["distances"]).distances[0]).toBe(json.distances[0]);
  });
});
