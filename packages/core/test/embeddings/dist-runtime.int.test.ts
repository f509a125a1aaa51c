/**
 * The built packages: core's ESM and CJS builds keep `@cairndb/default-embed` external (imported at run time,
 * never bundled) and both load it and embed with the tiny model in a plain Node process, giving the vectors
 * the sources give in-process. Builds the dists first when they are missing.
 */
import { execFile, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { DefaultEmbeddingFunction } from "../../src/embeddings/default";

const coreDir = fileURLToPath(new URL("../..", import.meta.url));
const defaultEmbedDir = fileURLToPath(new URL("../../../default-embed", import.meta.url));
const tinyModelDir = inject("tinyModelDir");
const TEXTS = ["hello world", "the cat sat on the mat"];

const SCRIPT = {
  esm: `const { DefaultEmbeddingFunction } = await import(process.argv[1]);
const ef = new DefaultEmbeddingFunction({ modelPath: process.argv[2] });
process.stdout.write(JSON.stringify(await ef.generate(JSON.parse(process.argv[3]))));`,
  cjs: `const { DefaultEmbeddingFunction } = require(process.argv[1]);
new DefaultEmbeddingFunction({ modelPath: process.argv[2] })
  .generate(JSON.parse(process.argv[3]))
  .then((v) => process.stdout.write(JSON.stringify(v)), (e) => { console.error(e); process.exit(1); });`,
};

beforeAll(() => {
  for (const dir of [defaultEmbedDir, coreDir]) {
    if (existsSync(join(dir, "dist/index.js")) && existsSync(join(dir, "dist/index.cjs"))) continue;
    const r = spawnSync("npx", ["--no-install", "tsup"], { cwd: dir, encoding: "utf8" });
    if (r.status !== 0) throw new Error(`tsup failed in ${dir}:\n${r.stderr}`);
  }
});

describe("core's dist and @cairndb/default-embed", () => {
  it("keeps the runtime external in both builds", () => {
    for (const file of ["dist/index.js", "dist/index.cjs"]) {
      const code = readFileSync(join(coreDir, file), "utf8");
      expect(code, file).toContain('import("@cairndb/default-embed")');
      expect(code, file).not.toContain("onnxruntime");
      expect(code, file).not.toContain("@huggingface/");
    }
  });

  it.each(["esm", "cjs"] as const)("embeds from the %s build in a plain node process", async (format) => {
    const entry = join(coreDir, format === "esm" ? "dist/index.js" : "dist/index.cjs");
    const args =
      format === "esm"
        ? ["--input-type=module", "-e", SCRIPT.esm, pathToFileURL(entry).href]
        : ["-e", SCRIPT.cjs, entry];
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [...args, tinyModelDir, JSON.stringify(TEXTS)],
      { cwd: coreDir, timeout: 60_000 },
    );
    const expected = await new DefaultEmbeddingFunction({ modelPath: tinyModelDir }).generate(TEXTS);
    const actual = JSON.parse(stdout) as number[][];
    expect(actual).toHaveLength(2);
    const diff = Math.max(
      ...actual.flatMap((row, i) => row.map((v, j) => Math.abs(v - (expected[i]?.[j] ?? 0)))),
    );
    expect(diff).toBeLessThan(1e-6);
  });
});
