/**
 * The LlamaIndex example is a test: it runs as a child process (`node index.mjs`, as `npm start` does) against
 * the BUILT packages (`@cairndb/core` and `@cairndb/llamaindex` dist), and its output is checked.
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
const temp = mkdtempSync(join(tmpdir(), "cairn-li-example-"));

async function start(dataDir: string): Promise<string> {
  const { stdout } = await run(process.execPath, ["index.mjs"], {
    cwd: join(examples, "llamaindex-rag"),
    env: { ...process.env, CAIRN_LLAMAINDEX_DIR: dataDir },
    timeout: 60_000,
  });
  return stdout;
}

describe("LlamaIndex example", () => {
  beforeAll(() => {
    for (const pkg of ["core", "llamaindex"]) {
      if (!existsSync(join(packages, pkg, "dist", "index.js"))) {
        throw new Error(
          `packages/${pkg}/dist is missing: build it first (npx tsup in packages/${pkg}, or npm run build)`,
        );
      }
    }
  });
  afterAll(() => rmSync(temp, { recursive: true, force: true }));

  it("the built @cairndb/llamaindex keeps @llamaindex/core and @cairndb/core external", () => {
    for (const file of ["index.js", "index.cjs"]) {
      const code = readFileSync(join(packages, "llamaindex", "dist", file), "utf8");
      for (const module of ["vector-store", "schema", "global", "embeddings"]) {
        expect(code).toMatch(new RegExp(`["']@llamaindex/core/${module}["']`));
      }
      expect(code).toMatch(/["']@cairndb\/core["']/);
      // Bundling would inline LlamaIndex's classes and settings, or Cairn's engine, instead of importing them.
      expect(code).not.toMatch(/class BaseVectorStore\b|class GlobalSettings\b|Cannot find Embedding/);
      expect(code).not.toMatch(/better-sqlite3|hnswlib-node/);
      expect(code).not.toMatch(/from ["']llamaindex["']|require\(["']llamaindex["']\)/);
    }
  });

  it("llamaindex-rag: ingests, answers from retrieved context, filters, deletes, reopens in a new process", async () => {
    const dataDir = join(temp, "run");
    const out = await start(dataDir);
    const pids = [...out.matchAll(/^\[(ingest|reopen), pid (\d+)\]$/gm)].map((m) => m[2]);
    expect(pids).toHaveLength(2);
    expect(pids[0]).not.toBe(pids[1]);
    const nodes = Number(out.match(/ingested 2 pages \(chunked\) and 2 FAQ entries: (\d+) nodes/)?.[1]);
    expect(nodes).toBeGreaterThan(4); // the two pages were split into several chunks each

    const [ingest, reopen] = out.split(/^\[reopen, pid \d+\]$/m) as [string, string];
    // The mock LLM knows nothing but its prompt: this sentence can only come from a retrieved chunk.
    expect(ingest).toContain(
      "A: From the context: Refunds reach your card five to ten business days after the parcel arrives at our warehouse.",
    );
    expect(ingest).toMatch(/retrieved: page-returns \(0\.\d{3}\)/);
    expect(ingest).toMatch(/the LLM's prompt held [1-9]\d+ characters of retrieved context/);
    expect(ingest).toMatch(
      /filtered to section == shipping: page-shipping \(0\.\d+\)(, page-shipping \([-\d.]+\))*\n/,
    );
    expect(ingest).toMatch(
      /filtered to section in \[support, payments\] and no tags: faq-pay \([-\d.]+\), faq-hours/,
    );

    const deleted = ingest.match(/deleteRefDoc\("page-returns"\): (\d+) → (\d+) nodes/);
    expect(Number(deleted?.[1])).toBe(nodes);
    const left = Number(deleted?.[2]);
    expect(left).toBeLessThan(nodes - 1); // every chunk of the page went, not just one node

    expect(reopen).toContain(`opened ${left} nodes from`);
    expect(reopen).toContain(
      "A: From the context: Express shipping arrives the next business day when you order before noon.",
    );
    // The returns page is gone in the new process too: nothing left answers the refund question.
    expect(reopen).not.toContain("page-returns");
    expect(reopen).toContain("A: I don't know: the context does not say.");

    // npm start again on the same data: nothing is duplicated (the docStore is persisted beside the database).
    const again = await start(dataDir);
    expect(again).toContain(`ingested 2 pages (chunked) and 2 FAQ entries: ${nodes} nodes`);
    expect(again).toContain(`deleteRefDoc("page-returns"): ${nodes} → ${left} nodes`);
  });
});
