/**
 * HttpClient `headers`: a header fetch would refuse fails when the client is built, as INVALID_ARGUMENT naming
 * the header — not as CONNECTION_FAILED at the first request. The rule is checked against fetch's own Headers.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { HttpClient, InvalidArgumentError } from "@cairndb/core";

function refusal(headers: unknown): InvalidArgumentError {
  try {
    new HttpClient({ headers: headers as Record<string, string> });
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidArgumentError);
    return error as InvalidArgumentError;
  }
  throw new Error(`headers ${JSON.stringify(headers)} were accepted`);
}

/** The oracle: whether a real fetch to a loopback server sends these headers. */
async function fetchSends(url: string, headers: Record<string, string>): Promise<boolean> {
  try {
    await (await fetch(url, { headers })).text();
    return true;
  } catch {
    return false;
  }
}

describe("HttpClient headers", () => {
  it("refuses a bad value at construction with INVALID_ARGUMENT naming the header", () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ "x-token": "abc\r\nx-evil: 1" }, "a line break at index 3"],
      [{ "x-token": "abc\n\tdef" }, "a line break"],
      [{ "x-token": "a\0b" }, "the control character U+0000"],
      [{ "x-token": "a\u007fb" }, "the control character U+007F"],
      [{ "x-token": "price €5" }, 'the character "€" (U+20AC), outside Latin-1'],
      [{ "x-token": 42 }, "expected a string value, got a number (42)"],
      [{ "x-token": undefined }, "expected a string value, got a undefined"],
      [{ "x-token": { a: 1 } }, "expected a string value, got an object"],
    ];
    for (const [headers, problem] of cases) {
      const error = refusal(headers);
      expect(error.code).toBe("INVALID_ARGUMENT");
      expect(error.message).toContain('headers["x-token"]');
      expect(error.message).toContain(problem);
    }
  });

  it("refuses bad names and a headers value that is not an object", () => {
    expect(refusal({ "x token": "v" }).message).toContain('headers["x token"]: is not a valid header name');
    expect(refusal({ "x:y": "v" }).message).toContain("is not a valid header name");
    expect(refusal(["x", "y"]).message).toContain("headers: expected an object");
    expect(refusal("x-token: v").message).toContain("headers: expected an object");
  });

  it("sends valid headers (Latin-1, inner tabs) unchanged, without the surrounding whitespace fetch drops", async () => {
    const seen: Record<string, string>[] = [];
    const client = new HttpClient({
      headers: { "x-token": "café\tok", Authorization: "Bearer t\n" },
      fetch: async (_url, init) => {
        seen.push(init?.headers as Record<string, string>);
        return new Response("1", { status: 200, headers: { "content-type": "application/json" } });
      },
    });
    await client.heartbeat();
    expect(seen[0]).toMatchObject({ "x-token": "café\tok", Authorization: "Bearer t" });
  });

  it("accepts exactly the values and names that a real fetch sends", async () => {
    const server = createServer((_req, res) => res.end("ok"));
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    const unit = fc.oneof(
      fc.constantFrom("\r", "\n", "\0", "\t", " ", "\u007f", "é", "€", "😀", ":", "a"),
      fc.integer({ min: 0, max: 0x3ff }).map((c) => String.fromCharCode(c)),
    );
    const text = fc.string({ unit, maxLength: 6 });
    const accepts = (headers: Record<string, string>) => {
      try {
        new HttpClient({ headers });
        return true;
      } catch (error) {
        expect((error as InvalidArgumentError).code).toBe("INVALID_ARGUMENT");
        return false;
      }
    };
    try {
      await fc.assert(
        fc.asyncProperty(text, async (value) => {
          expect(accepts({ "x-a": value }), JSON.stringify(value)).toBe(
            await fetchSends(url, { "x-a": value }),
          );
        }),
        { numRuns: 300 },
      );
      await fc.assert(
        fc.asyncProperty(text, async (name) => {
          expect(accepts({ [name]: "v" }), JSON.stringify(name)).toBe(
            name.length > 0 && (await fetchSends(url, { [name]: "v" })),
          );
        }),
        { numRuns: 300 },
      );
    } finally {
      server.close();
    }
  });
});
