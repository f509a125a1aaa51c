/**
 * The LangChain examples are tests: each runs as a child process (`node index.mjs`, as `npm start` does) against
 * the BUILT packages (`@cairndb/core` and `@cairndb/langchain` dist), and its output is checked.
 */
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const examples = fileURLToPath(new URL(".", import.meta.url));
const packages = join(examples, "..", "packages");
const temp = mkdtempSync(join(tmpdir(), "cairn-lc-examples-"));

async function start(
  example: string,
  args: string[] = [],
  env: Record<string, string> = {},
): Promise<string> {
  const cwd = join(examples, example);
  const { stdout } = await run(process.execPath, ["index.mjs", ...args], {
    cwd,
    env: { ...process.env, ...env },
    timeout: 60_000,
  });
  return stdout;
}

describe("LangChain examples", () => {
  beforeAll(() => {
    for (const pkg of ["core", "langchain"]) {
      if (!existsSync(join(packages, pkg, "dist", "index.js"))) {
        throw new Error(
          `packages/${pkg}/dist is missing: build it first (npx tsup in packages/${pkg}, or npm run build)`,
        );
      }
    }
  });
  afterAll(() => rmSync(temp, { recursive: true, force: true }));

  it("the built @cairndb/langchain keeps @langchain/core and @cairndb/core external", () => {
    for (const file of ["index.js", "index.cjs"]) {
      const code = readFileSync(join(packages, "langchain", "dist", file), "utf8");
      expect(code).toMatch(/["']@langchain\/core\/vectorstores["']/);
      expect(code).toMatch(/["']@cairndb\/core["']/);
      // Bundling would inline LangChain's VectorStore / Cairn's engine instead of importing them.
      expect(code).not.toMatch(/class VectorStore\b|lc_namespace = \[\s*"langchain",\s*"vectorstores"/);
      expect(code).not.toContain("better-sqlite3");
    }
  });

  it("langchain-rag: the LCEL chain answers from the retrieved context", async () => {
    const out = await start("langchain-rag");
    expect(out).toContain("Q: How long do refunds take to reach my card?");
    expect(out).toMatch(/retrieved: kb-3 \[returns\]/);
    // The fake model knows nothing but its prompt: these facts can only come from the retrieved documents.
    expect(out).toContain("A: From the context: Refunds reach your card 5 to 10 business days");
    expect(out).toContain("A: From the context: Our support team answers chat messages from 9:00 to 18:00");
    expect(out).toMatch(/filtered to topic=shipping: kb-\d, kb-\d/);
    expect(out).not.toMatch(/filtered to topic=shipping:.*kb-[3-6]/);
    expect(out).toMatch(/best match for "gift cards cash": kb-5 \(similarity 0\.\d+\)/);
  });

  it("ingest-docs: loads, splits, ingests with progress lines, summarises and queries (idempotent re-run)", async () => {
    const env = { CAIRN_INGEST_PATH: join(temp, "ingest") };
    const out = await start("ingest-docs", [], env);
    expect(out).toMatch(/^embedded \d+\/\d+ chunks$/m); // not a TTY: plain lines, no bar
    const summary = out.match(
      /ingested 3 files → (\d+) chunks in [\d.]+ s \(collection 'docs' now holds (\d+) chunks\)/,
    );
    expect(summary).not.toBeNull();
    expect(Number(summary?.[1])).toBeGreaterThan(3);
    expect(summary?.[2]).toBe(summary?.[1]);
    expect(out).toMatch(/query: How are nested metadata filters/);
    expect(out).toMatch(/\d\.\d{3} {2}filters\.md:\d+-\d+ {2}## Nested metadata/);
    expect(out).toMatch(/chunks starting in the first 3 lines of a file: .*getting-started\.md/);

    const again = await start("ingest-docs", [], env);
    expect(again).toContain(`now holds ${summary?.[1]} chunks`);
  });

  it("ingest-docs: takes a folder and a query as arguments", async () => {
    const folder = join(examples, "ingest-docs", "sample-docs", "notes");
    const out = await start("ingest-docs", [folder, "SQLite lock processes"], {
      CAIRN_INGEST_PATH: join(temp, "notes"),
    });
    expect(out).toMatch(/ingested 1 files → \d+ chunks/);
    expect(out).toMatch(/\d\.\d{3} {2}durability\.txt:\d+-\d+ {2}Several processes/);
  });

  it("agent-memory: remembers in one process and recalls with filters in another", async () => {
    const out = await start("agent-memory", [], { CAIRN_MEMORY_PATH: join(temp, "memory") });
    const pids = [...out.matchAll(/\[(remember|recall), pid (\d+)\]/g)].map((m) => m[2]);
    expect(pids).toHaveLength(2);
    expect(pids[0]).not.toBe(pids[1]);
    expect(out).toContain("opened 5 memories from disk");
    const section = (title: string) => out.split(`${title}\n`)[1]?.split(/\n(?! )/)[0] ?? "";
    expect(section("where do I live? (since 2025-02-01)")).toContain("Lisbon now");
    expect(section("where do I live? (since 2025-02-01)")).not.toContain("Porto");
    expect(section("where do I live? (session trip-planning)")).toContain("I live in Porto");
    expect(section("where do I live? (session trip-planning)")).not.toContain("Lisbon");
    expect(out).toContain("agent< You told me (2025-03-02) I moved: I live in Lisbon now");
  });
});
