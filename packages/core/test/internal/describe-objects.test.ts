import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { copyJson, describeValue, errorMessage, isPlainObject, setOwn, truncate } from "../../src/internal";

describe("describeValue", () => {
  it("names the type and, for primitives, the value", () => {
    expect(describeValue("2020")).toBe('string "2020"');
    expect(describeValue(Number.NaN)).toBe("number NaN");
    expect(describeValue(3)).toBe("number 3");
    expect(describeValue(true)).toBe("boolean true");
    expect(describeValue(5n)).toBe("bigint 5n");
    expect(describeValue(null)).toBe("null");
    expect(describeValue(undefined)).toBe("undefined");
    expect(describeValue(Symbol("s"))).toBe("a symbol");
    expect(describeValue(() => 1)).toBe("a function");
    expect(describeValue([1, 2])).toBe("an array of 2");
    expect(describeValue({ a: 1 })).toBe("an object");
    expect(describeValue(Object.create(null))).toBe("an object");
    expect(describeValue(new Date(0))).toBe("an instance of Date");
    expect(describeValue(Object.create(Object.create(null)))).toBe("an object with a custom prototype");
  });

  it("shortens long strings", () => {
    const text = describeValue("x".repeat(1000));
    expect(text).toBe(`string "${"x".repeat(60)}…"`);
  });

  it("never walks an object (a cyclic or huge value is described at once)", () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(describeValue(cyclic)).toBe("an object");
    const hostile = new Proxy([], {
      get: (target, key) => (key === "length" ? 3 : Reflect.get(target, key)),
      ownKeys: () => {
        throw new Error("walked");
      },
    });
    expect(describeValue(hostile)).toBe("an array of 3");
  });

  it("always returns a short, non-empty string", () => {
    fc.assert(
      fc.property(fc.anything(), (value) => {
        const text = describeValue(value);
        expect(text.length).toBeGreaterThan(0);
        expect(text.length).toBeLessThanOrEqual(80);
      }),
    );
  });
});

describe("truncate and errorMessage", () => {
  it("truncates only when longer", () => {
    expect(truncate("abcdef", 3)).toBe("abc…");
    expect(truncate("abc", 3)).toBe("abc");
  });

  it("extracts the message of an error, the string form of anything else", () => {
    expect(errorMessage(new TypeError("boom"))).toBe("boom");
    expect(errorMessage("plain")).toBe("plain");
    expect(errorMessage(42)).toBe("42");
  });
});

describe("isPlainObject", () => {
  it("accepts literals, JSON output and null-prototype objects only", () => {
    expect(isPlainObject({})).toBe(true);
    expect(isPlainObject(JSON.parse('{"a":1}'))).toBe(true);
    expect(isPlainObject(Object.create(null))).toBe(true);
    for (const value of [null, undefined, [], new Date(), new Map(), "x", 1, () => 1, new (class A {})()]) {
      expect(isPlainObject(value)).toBe(false);
    }
  });
});

describe("setOwn", () => {
  it("keeps __proto__ an ordinary own key", () => {
    const target: Record<string, unknown> = {};
    setOwn(target, "__proto__", { polluted: true });
    expect(Object.getPrototypeOf(target)).toBe(Object.prototype);
    expect(Object.keys(target)).toEqual(["__proto__"]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe("copyJson", () => {
  it("deep-copies JSON data and drops undefined properties", () => {
    const input = { a: [1, "x", null, { b: true }], c: undefined };
    const copied = copyJson(input);
    expect(copied).toEqual({ value: { a: [1, "x", null, { b: true }] } });
    expect((copied as { value: { a: unknown } }).value.a).not.toBe(input.a);
  });

  it("refuses what is not plain JSON", () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    for (const value of [cyclic, { n: Number.NaN }, { d: new Date() }, { b: 1n }, { f: () => 1 }]) {
      expect(copyJson(value)).toBeNull();
    }
    expect(copyJson(Array.from({ length: 100_001 }, () => 0))).toBeNull();
  });

  it("round-trips anything JSON.parse produces", () => {
    fc.assert(
      fc.property(fc.json(), (text) => {
        const value: unknown = JSON.parse(text);
        expect(copyJson(value)).toEqual({ value });
      }),
    );
  });
});
