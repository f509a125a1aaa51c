import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { InvalidArgumentError, rejectUnknownKeys } from "../../src";

function thrown(run: () => void): InvalidArgumentError {
  try {
    run();
  } catch (error) {
    if (error instanceof InvalidArgumentError) return error;
    throw error;
  }
  throw new Error("expected an InvalidArgumentError");
}

describe("rejectUnknownKeys (public)", () => {
  const known = ["nResults", "where", "include"];

  it("names the path, the key, the closest known key and every known key", () => {
    const error = thrown(() => rejectUnknownKeys({ nResult: 3 }, known, "query"));
    expect(error.code).toBe("UNKNOWN_OPTION");
    expect(error.message).toBe(
      'query: unknown option "nResult". Did you mean "nResults"? Known options: nResults, where, include.',
    );
    expect(error.details).toEqual({ path: "query", key: "nResult", known });
  });

  it("gives no hint when no known key is close", () => {
    const error = thrown(() => rejectUnknownKeys({ colour: "red" }, known, "query"));
    expect(error.message).toBe('query: unknown option "colour". Known options: nResults, where, include.');
  });

  it("accepts exactly the objects whose keys are all known", () => {
    const key = fc.constantFrom("nResults", "where", "include", "nresults", "wher", "x", "__proto__");
    fc.assert(
      fc.property(fc.uniqueArray(key, { maxLength: 5 }), (keys) => {
        const value: Record<string, unknown> = {};
        for (const k of keys) Object.defineProperty(value, k, { value: 1, enumerable: true });
        const unknown = keys.filter((k) => !known.includes(k));
        if (unknown.length === 0) {
          expect(() => rejectUnknownKeys(value, known, "opts")).not.toThrow();
        } else {
          expect(thrown(() => rejectUnknownKeys(value, known, "opts")).details?.key).toBe(unknown[0]);
        }
      }),
    );
  });
});
