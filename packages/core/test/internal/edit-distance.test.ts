import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { closestMatch, editDistance } from "../../src/internal";

const word = fc.string({ maxLength: 12 });

describe("editDistance", () => {
  it("matches known distances", () => {
    expect(editDistance("kitten", "sitting")).toBe(3);
    expect(editDistance("", "abc")).toBe(3);
    expect(editDistance("abc", "")).toBe(3);
    expect(editDistance("flaw", "lawn")).toBe(2);
    expect(editDistance("same", "same")).toBe(0);
  });

  it("is a metric: identity, symmetry, triangle inequality", () => {
    fc.assert(
      fc.property(word, word, word, (a, b, c) => {
        expect(editDistance(a, a)).toBe(0);
        expect(editDistance(a, b) === 0).toBe(a === b);
        expect(editDistance(a, b)).toBe(editDistance(b, a));
        expect(editDistance(a, c)).toBeLessThanOrEqual(editDistance(a, b) + editDistance(b, c));
      }),
    );
  });

  it("is bounded by the longer length and at least the length difference", () => {
    fc.assert(
      fc.property(word, word, (a, b) => {
        const d = editDistance(a, b);
        expect(d).toBeLessThanOrEqual(Math.max(a.length, b.length));
        expect(d).toBeGreaterThanOrEqual(Math.abs(a.length - b.length));
      }),
    );
  });

  it("counts one edit for one insertion, deletion or substitution", () => {
    fc.assert(
      fc.property(word, fc.nat(), fc.constantFrom("x", "é", "7"), (a, at, ch) => {
        const i = a.length === 0 ? 0 : at % (a.length + 1);
        const inserted = a.slice(0, i) + ch + a.slice(i);
        expect(editDistance(a, inserted)).toBe(1);
        if (a.length > 0) {
          const j = at % a.length;
          expect(editDistance(a, a.slice(0, j) + a.slice(j + 1))).toBe(1);
          const substituted = a.slice(0, j) + ch + a.slice(j + 1);
          expect(editDistance(a, substituted)).toBe(a[j] === ch ? 0 : 1);
        }
      }),
    );
  });
});

describe("closestMatch", () => {
  const known = ["nResults", "where", "whereDocument", "include", "queryEmbeddings"];

  it("suggests the closest known key for a typo, case-insensitively", () => {
    expect(closestMatch("nResult", known)).toBe("nResults");
    expect(closestMatch("WHERE", known)).toBe("where");
    expect(closestMatch("includes", known)).toBe("include");
  });

  it("suggests nothing for an unrelated key", () => {
    expect(closestMatch("colour", known)).toBeUndefined();
    expect(closestMatch("", ["abcdef"])).toBeUndefined();
  });

  it("honours maxDistance and maxLength", () => {
    expect(closestMatch("$qe", ["$eq"], { maxDistance: 2 })).toBe("$eq");
    expect(closestMatch("$qe", ["$eq"], { maxDistance: 1 })).toBeUndefined();
    expect(closestMatch("x".repeat(30), ["x".repeat(29)], { maxLength: 24 })).toBeUndefined();
    expect(closestMatch("x".repeat(30), ["x".repeat(29)])).toBe("x".repeat(29));
  });

  it("prefers the first of equally close candidates", () => {
    expect(closestMatch("ab", ["ac", "ad"])).toBe("ac");
  });

  it("never suggests a candidate farther than the limit, and finds an exact match", () => {
    fc.assert(
      fc.property(word, fc.array(word, { maxLength: 6 }), (input, candidates) => {
        const best = closestMatch(input, candidates);
        const limit = Math.max(2, Math.floor(input.length / 3));
        if (best !== undefined) {
          expect(candidates).toContain(best);
          const d = editDistance(input.toLowerCase(), best.toLowerCase());
          expect(d).toBeLessThanOrEqual(limit);
          for (const c of candidates) {
            expect(editDistance(input.toLowerCase(), c.toLowerCase())).toBeGreaterThanOrEqual(d);
          }
        } else {
          for (const c of candidates) {
            expect(editDistance(input.toLowerCase(), c.toLowerCase())).toBeGreaterThan(limit);
          }
        }
      }),
    );
  });
});
