import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { InvalidArgumentError, rejectUnknownKeys } from "../../src";

describe("rejectUnknownKeys (public)", () => {
  const known = ["nResults", "where", "include"];

  it("names the path, the key, the closest known key and every known key", () => {
    expect(() => rejectUnknownKeys({ nResult: 3 }, known, "query")).toThrow(
      expect.objectContaining({
        constructor: InvalidArgumentError,
        code: "UNKNOWN_OPTION",
        message:
          'query: unknown option "nResult". Did you mean "nResults"? Known options: nResults, where, include.',
        details: { path: "query", key: "nResult", known },
      }),
    );
  });

  it("gives no hint when no known key is close", () => {
    expect(() => rejectUnknownKeys({ colour: "red" }, known, "query")).toThrow(
      'query: unknown option "colour". Known options: nResults, where, include.',
    );
  });

  it("accepts exactly the objects whose keys are all known", () => {
    const key = fc.constantFrom("nResults", "where", "include", "nresults", "wher", "x", "__proto__");
    fc.assert(
      fc.property(fc.uniqueArray(key, { maxLength: 5 }), (keys) => {
        const value: Record<string, unknown> = {};
        for (const k of keys) Object.defineProperty(value, k, { value: 1, enumerable: true });
        const unknown = keys.find((k) => !known.includes(k));
        const check = () => rejectUnknownKeys(value, known, "opts");
        if (unknown === undefined) expect(check).not.toThrow();
        else
          expect(check).toThrow(
            expect.objectContaining({ details: expect.objectContaining({ key: unknown }) }),
          );
      }),
    );
  });
});
