/**
 * The quick start is a test: examples/quickstart runs as a child process (`node index.mjs`, what `npm start` and
 * `npm run quickstart` run) against the BUILT `@cairndb/core`, offline (HashEmbeddingFunction), in a fresh
 * database folder; its output is checked, then it runs a second time on the same folder, as a user re-running it.
 */
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const examples = fileURLToPath(new URL(".", import.meta.url));
const temp = mkdtempSync(join(tmpdir(), "cairn-quickstart-"));
const path = join(temp, "cairn_db");

const start = async () =>
  (
    await run(process.execPath, ["index.mjs"], {
      cwd: join(examples, "quickstart"),
      env: { ...process.env, CAIRN_QUICKSTART_PATH: path },
    })
  ).stdout;

describe("quickstart example", () => {
  beforeAll(() => {
    if (!existsSync(join(examples, "..", "packages", "core", "dist", "index.js"))) {
      throw new Error("packages/core/dist is missing: build it first (npm run build)");
    }
  });
  afterAll(() => rmSync(temp, { recursive: true, force: true }));

  it("stores four records and answers the filtered query with FAQ entries only, nearest first", async () => {
    const out = await start();
    const lines = out.trim().split("\n");
    expect(lines[0]).toBe(`collection 'my_docs' at ${path}: 4 records`);
    const hits = lines.slice(1).map((l) => /^(\d+\.\d{4}) {2}(\S+) {2}\[(\w+), (\d+)\] {2}(.*)$/.exec(l));
    expect(hits).toHaveLength(2);
    for (const h of hits) {
      expect(h, `unexpected result line in:\n${out}`).not.toBeNull();
      expect(h?.[3]).toBe("faq");
    }
    // The return-policy FAQ shares the most words with the question; the blog post is filtered out.
    expect(hits[0]?.[2]).toBe("doc-1");
    expect(Number(hits[0]?.[1])).toBeLessThanOrEqual(Number(hits[1]?.[1]));
    expect(out).not.toContain("doc-2");
  });

  it("runs again on the same folder (upsert: no DUPLICATE_ID, still four records)", async () => {
    const out = await start();
    expect(out.split("\n")[0]).toBe(`collection 'my_docs' at ${path}: 4 records`);
  });
});
