/** The snippet extractor: which blocks it takes, and what each marker does. */
import { describe, expect, it } from "vitest";
import { extractSnippets } from "./snippets";

const md = (...lines: string[]) => lines.join("\n");

describe("extractSnippets", () => {
  it("takes ts and typescript blocks only, and positions them at their fence", () => {
    const out = extractSnippets(
      "a.md",
      md(
        "# t",
        "```ts",
        "const a = 1;",
        "```",
        "```js",
        "x",
        "```",
        "```sh",
        "y",
        "```",
        "```typescript",
        "2;",
        "```",
      ),
    );
    expect(out.map((s) => [s.where, s.mode, s.firstLine])).toEqual([
      ["a.md:2", "check", 3],
      ["a.md:11", "check", 12],
    ]);
    expect(out[0]?.code).toContain("const a = 1;\nexport {};");
  });

  it("run, skip with a reason, and hidden setup apply to the next block only", () => {
    const out = extractSnippets(
      "a.md",
      md(
        "<!-- snippet: run -->",
        "<!-- snippet: setup",
        "const hidden = 1;",
        "-->",
        "```ts",
        "hidden;",
        "```",
        "<!-- snippet: skip needs a GPU -->",
        "```ts",
        "gpu();",
        "```",
        "```ts",
        "plain;",
        "```",
      ),
    );
    expect(out.map((s) => s.mode)).toEqual(["run", "skip", "check"]);
    expect(out[0]?.code).toMatch(/const hidden = 1;[\s\S]*hidden;/);
    expect(out[0]?.hidden).toBe(2);
    expect(out[1]?.skipReason).toBe("needs a GPU");
    expect(out[2]?.code).not.toContain("hidden");
  });

  it("a prelude applies to every later block of the file", () => {
    const out = extractSnippets(
      "a.md",
      md(
        "```ts",
        "first;",
        "```",
        "<!-- snippet: prelude",
        "const p = 1;",
        "-->",
        "```ts",
        "second;",
        "```",
        "text",
        "```ts",
        "third;",
        "```",
      ),
    );
    expect(out.map((s) => s.code.includes("const p = 1;"))).toEqual([false, true, true]);
  });

  it("a marker separated from its block by prose does not apply", () => {
    const out = extractSnippets("a.md", md("<!-- snippet: run -->", "Some prose.", "```ts", "x;", "```"));
    expect(out[0]?.mode).toBe("check");
  });

  it("refuses a skip without a reason and an unreadable marker", () => {
    expect(() => extractSnippets("a.md", md("<!-- snippet: skip -->", "```ts", "x;", "```"))).toThrow(
      /needs a reason/,
    );
    expect(() => extractSnippets("a.md", md("<!-- snippet: runn -->", "```ts", "x;", "```"))).toThrow(
      /a\.md:1: unreadable snippet marker/,
    );
  });
});
