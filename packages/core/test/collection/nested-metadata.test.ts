import { flattenMetadata, restoreMetadata } from "@cairndb/core";
import { describe, expect, it } from "vitest";

const options = { residueKey: "_json", reservedKeys: ["ref_doc_id"] };

describe("nested metadata (shared by the adapters)", () => {
  it("flattens nested objects to dotted keys, keeps scalar arrays, puts the rest in the residue", () => {
    const input = {
      source: "a.md",
      loc: { lines: { from: 1, to: 4 } },
      tags: ["x"],
      empty: [],
      none: null,
      "a.b": 1,
      ref_doc_id: "u",
    };
    const flat = flattenMetadata(input, options);
    expect(flat).toEqual({
      source: "a.md",
      "loc.lines.from": 1,
      "loc.lines.to": 4,
      tags: ["x"],
      _json: JSON.stringify({ empty: [], none: null, "a.b": 1, ref_doc_id: "u" }),
    });
    expect(restoreMetadata(flat, options)).toEqual(input);
    expect(input.loc.lines.from).toBe(1);
  });

  it("skips reserved keys on restore and keeps foreign values verbatim", () => {
    expect(restoreMetadata({ ref_doc_id: "d", x: 1 }, options)).toEqual({ x: 1 });
    expect(restoreMetadata({ _json: "not json" }, options)).toEqual({ _json: "not json" });
    expect(restoreMetadata({ a: 1, "a.b": 2 }, options)).toEqual({ a: 1, "a.b": 2 });
  });

  it("rejects what JSON cannot carry, with the path", () => {
    expect(() => flattenMetadata({ big: { n: 1n } } as never, options, "documents[2].metadata")).toThrow(
      expect.objectContaining({
        code: "INVALID_ARGUMENT",
        message: expect.stringContaining("documents[2].metadata"),
      }),
    );
  });
});
