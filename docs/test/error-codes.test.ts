/**
 * The documentation names only error codes that exist and are thrown: every backquoted UPPER_SNAKE_CASE word in
 * README.md, packages/*\/README.md and docs/ (generated docs/api excepted) is either a code of core's ERROR_CODES
 * or of default-embed's EMBEDDER_ERROR_CODES that some package source really throws (a string literal outside
 * the tables), or one of the few other names listed below (environment variables, constants).
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { ERROR_CODES } from "@cairndb/core";
import { EMBEDDER_ERROR_CODES } from "@cairndb/default-embed";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../..", import.meta.url));

/** Upper-case names in the docs that are not error codes. */
const NOT_CODES = new Set([
  "ERROR_CODES",
  "EMBEDDER_ERROR_CODES",
  "ESTIMATE_CONSTANTS",
  "LC_JSON_KEY",
  "HF_ENDPOINT",
]);
const CODES = new Set<string>([...Object.keys(ERROR_CODES), ...EMBEDDER_ERROR_CODES]);
const isEnvironmentVariable = (word: string) => /^(CAIRN|HF|OPENAI|ONNXRUNTIME|NODE)_/.test(word);

function walk(
  dir: string,
  keep: (file: string) => boolean,
  skip: (dir: string) => boolean = () => false,
): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) return skip(full) || entry.name === "node_modules" ? [] : walk(full, keep, skip);
    return keep(full) ? [full] : [];
  });
}

const packages = join(root, "packages");
const docs = [
  join(root, "README.md"),
  ...readdirSync(packages)
    .map((p) => join(packages, p, "README.md"))
    .filter(existsSync),
  ...walk(
    join(root, "docs"),
    (f) => f.endsWith(".md"),
    (d) => d === join(root, "docs", "api"),
  ),
];
const sources = walk(packages, (f) => /\/src\/.*\.ts$/.test(f))
  .map((f) => {
    const text = readFileSync(f, "utf8");
    if (f.endsWith("/errors/codes.ts")) return "";
    // default-embed's table is not a use of its codes.
    return text.replace(/EMBEDDER_ERROR_CODES = \[[^\]]*\]/, "");
  })
  .join("\n");

describe("error codes named in the documentation", () => {
  const named = new Map<string, string[]>();
  for (const file of docs) {
    for (const m of readFileSync(file, "utf8").matchAll(/`([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)`/g)) {
      const word = m[1] as string;
      if (NOT_CODES.has(word) || isEnvironmentVariable(word)) continue;
      named.set(word, [...(named.get(word) ?? []), relative(root, file)]);
    }
  }

  it("finds codes in the docs", () => {
    expect(named.size).toBeGreaterThan(10);
  });

  it("every named code exists in ERROR_CODES or EMBEDDER_ERROR_CODES", () => {
    const unknown = [...named].filter(([code]) => !CODES.has(code)).map(([c, f]) => `${c} (${f.join(", ")})`);
    expect(unknown, "the docs name codes Cairn does not have").toEqual([]);
  });

  it("every named code is thrown somewhere in the packages' sources", () => {
    const unused = [...named.keys()].filter((code) => CODES.has(code) && !sources.includes(`"${code}"`));
    expect(unused, "the docs name codes that no source throws").toEqual([]);
  });
});
