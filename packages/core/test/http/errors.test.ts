/** Status ⇄ error mapping of the HttpClient transport for overload answers, and `Retry-After` parsing. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ConnectionError } from "../../src/errors";
import { errorFromResponse, retryAfterMsOf } from "../../src/http/errors";

const request = { method: "POST", url: "http://127.0.0.1:8000/api/v2/x" };

describe("429 answers", () => {
  it("a Cairn server's OVERLOADED body keeps its code and carries retryAfterMs", () => {
    const error = errorFromResponse(
      429,
      { error: "ChromaError", message: "at its limit", code: "OVERLOADED" },
      request,
      {},
      1000,
    );
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error.code).toBe("OVERLOADED");
    expect(error.details).toMatchObject({ status: 429, retryAfterMs: 1000, error: "ChromaError" });
  });

  it("a 429 without a code (a Chroma server or a proxy) is OVERLOADED; no header, no retryAfterMs", () => {
    const error = errorFromResponse(429, undefined, request);
    expect(error.code).toBe("OVERLOADED");
    expect(error.details).not.toHaveProperty("retryAfterMs");
  });
});

describe("retryAfterMsOf", () => {
  it("reads delta-seconds", () => {
    fc.assert(fc.property(fc.nat(1_000_000), (s) => retryAfterMsOf(String(s)) === s * 1000));
    expect(retryAfterMsOf(" 2 ")).toBe(2000);
  });

  it("reads an HTTP date relative to now, never negative", () => {
    const now = Date.parse("2026-01-01T00:00:00Z");
    expect(retryAfterMsOf("Thu, 01 Jan 2026 00:00:05 GMT", now)).toBe(5000);
    expect(retryAfterMsOf("Wed, 31 Dec 2025 23:59:00 GMT", now)).toBe(0);
  });

  it("absent or unreadable → undefined", () => {
    for (const value of [null, undefined, "", "soon", "-1", "1.5"])
      expect(retryAfterMsOf(value)).toBeUndefined();
  });
});
