/**
 * The metadata mapping, table-tested: what is stored for each shape, and that reading restores it exactly.
 */
import { describe, expect, it } from "vitest";
import { decodeMetadata, encodeMetadata, LC_JSON_KEY } from "../src";

const cases: [string, Record<string, unknown>, Record<string, unknown>][] = [
  ["scalars stay as they are", { s: "x", i: 3, f: 2.5, b: false }, { s: "x", i: 3, f: 2.5, b: false }],
  [
    "scalar arrays stay arrays",
    { tags: ["a", "b"], ns: [1, 2.5], flags: [true] },
    { tags: ["a", "b"], ns: [1, 2.5], flags: [true] },
  ],
  [
    "nested objects become dotted keys",
    { loc: { lines: { from: 1, to: 4 } } },
    { "loc.lines.from": 1, "loc.lines.to": 4 },
  ],
  ["an empty array goes to the JSON key", { tags: [] }, { [LC_JSON_KEY]: '{"tags":[]}' }],
  [
    "null goes to the JSON key at its nested position",
    { a: { b: null, c: 1 } },
    { "a.c": 1, [LC_JSON_KEY]: '{"a":{"b":null}}' },
  ],
  [
    "arrays of objects and mixed arrays go to the JSON key",
    { o: [{ x: 1 }], m: [1, "1"] },
    { [LC_JSON_KEY]: '{"o":[{"x":1}],"m":[1,"1"]}' },
  ],
  ["an empty object goes to the JSON key", { e: {} }, { [LC_JSON_KEY]: '{"e":{}}' }],
  [
    "keys with a dot are kept whole in the JSON key",
    { "a.b": 1, a: { c: 2 } },
    { "a.c": 2, [LC_JSON_KEY]: '{"a.b":1}' },
  ],
  [
    "keys starting with $ or # (reserved by Cairn) go to the JSON key",
    { $x: 1, "#y": 2 },
    { [LC_JSON_KEY]: '{"$x":1,"#y":2}' },
  ],
  [
    "a user key named like the reserved key is kept",
    { [LC_JSON_KEY]: "mine" },
    { [LC_JSON_KEY]: `{"${LC_JSON_KEY}":"mine"}` },
  ],
  [
    "the reserved name below the top level is an ordinary key",
    { a: { [LC_JSON_KEY]: 1 } },
    { [`a.${LC_JSON_KEY}`]: 1 },
  ],
  ["undefined values are dropped (as JSON does)", { a: undefined, b: 1 }, { b: 1 }],
  ["non-finite numbers follow JSON (null)", { n: Number.NaN }, { [LC_JSON_KEY]: '{"n":null}' }],
];

describe("encodeMetadata / decodeMetadata", () => {
  it.each(cases)("%s", (_name, input, stored) => {
    const before = structuredClone(input);
    expect(encodeMetadata(input)).toEqual(stored);
    expect(input).toEqual(before);
    expect(decodeMetadata(encodeMetadata(input))).toEqual(JSON.parse(JSON.stringify(input)));
  });

  it("Dates follow JSON (ISO strings); BigInts are rejected with a path", () => {
    const at = new Date("2024-05-01T10:00:00Z");
    expect(decodeMetadata(encodeMetadata({ at }))).toEqual({ at: "2024-05-01T10:00:00.000Z" });
    expect(() => encodeMetadata({ n: 1n }, "documents[2].metadata")).toThrow(
      expect.objectContaining({
        code: "INVALID_ARGUMENT",
        message: expect.stringContaining("documents[2].metadata"),
      }),
    );
  });

  it("empty and missing metadata encode to {} and decode to {}", () => {
    expect(encodeMetadata({})).toEqual({});
    expect(encodeMetadata(undefined)).toEqual({});
    expect(decodeMetadata(null)).toEqual({});
    expect(decodeMetadata({})).toEqual({});
  });

  it("stored arrays are copies, never the caller's arrays", () => {
    const tags = ["a"];
    const stored = encodeMetadata({ tags });
    expect(stored.tags).toEqual(tags);
    expect(stored.tags).not.toBe(tags);
    const read = decodeMetadata(stored);
    expect(read.tags).not.toBe(stored.tags);
  });

  it("keys written by other tools that collide are kept verbatim instead of failing", () => {
    expect(decodeMetadata({ "a.b": 2, a: 1 })).toEqual({ a: 1, "a.b": 2 });
    expect(decodeMetadata({ "a..b": 1, ".x": 2 })).toEqual({ "a..b": 1, ".x": 2 });
    expect(decodeMetadata({ [LC_JSON_KEY]: "not json" })).toEqual({ [LC_JSON_KEY]: "not json" });
    expect(decodeMetadata({ [LC_JSON_KEY]: 5 })).toEqual({ [LC_JSON_KEY]: 5 });
  });

  it("a __proto__ key stays an ordinary key both ways", () => {
    const input = JSON.parse('{"__proto__": {"polluted": true}, "a": {"__proto__": 1}}');
    const restored = decodeMetadata(encodeMetadata(input));
    expect(restored).toEqual(input);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(restored)).toBe(Object.prototype);
  });
});
