/**
 * `cairn export`, `cairn import` and `cairn estimate` in-process: files and stdin/stdout (`-`), summaries,
 * exit codes (0 done, 1 failure with the error code, 2 bad command line) and help texts.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { estimate, PersistentClient } from "@cairndb/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../src/commands/program";
import { sink } from "./helpers";

let dir: string;
let source: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "cairn-transfer-cli-"));
  source = join(dir, "source_db");
  const client = new PersistentClient({ path: source });
  const col = await client.createCollection({
    name: "docs",
    embeddingFunction: null,
    configuration: { hnsw: { space: "ip" } },
  });
  await col.add({
    ids: ["a", "b", "c"],
    embeddings: [
      [0.1, 0.2],
      [-0, 3.5],
      [1e-40, -2],
    ],
    documents: ["alpha", null, "gamma"],
    metadatas: [{ n: 1, tags: ["x", "y"] }, null, { ok: true }],
    uris: [null, "file:///b", null],
  });
  await client.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function cli(argv: string[], stdin?: string) {
  const out = sink();
  const err = sink();
  const code = await runCli(argv, {
    stdout: out.stream,
    stderr: err.stream,
    ...(stdin === undefined ? {} : { stdin: Readable.from([stdin]) }),
  });
  return { code, stdout: out.text(), stderr: err.text() };
}

async function records(path: string, name: string) {
  const client = new PersistentClient({ path });
  try {
    const col = await client.getCollection({ name });
    const r = await col.get({ include: ["embeddings", "documents", "metadatas", "uris"] });
    return { ...r, space: col.configuration.hnsw.space };
  } finally {
    await client.close();
  }
}

describe("cairn export / import", () => {
  it("exports to a file and imports it into another database, bit-exact", async () => {
    const file = join(dir, "docs.jsonl");
    const exported = await cli(["export", "--path", source, "--collection", "docs", "--to", file]);
    expect(exported.stderr).toBe("");
    expect(exported.code).toBe(0);
    expect(exported.stdout).toMatch(/^exported 3 records of 'docs' to .*docs\.jsonl: [\d.]+ MiB in [\d.]+ s/);
    expect(readdirSync(dir).filter((f) => f.includes(".partial"))).toEqual([]);
    expect(readFileSync(file, "utf8").trimEnd().split("\n")).toHaveLength(4);

    const target = join(dir, "target_db");
    const imported = await cli(["import", "--path", target, "--from", file]);
    expect(imported.code).toBe(0);
    expect(imported.stdout).toMatch(/^imported 3 records into 'docs' \(created\)/);
    const [a, b] = [await records(source, "docs"), await records(target, "docs")];
    expect(b.space).toBe("ip");
    expect(b.ids).toEqual(a.ids);
    expect(b.documents).toEqual(a.documents);
    expect(b.metadatas).toEqual(a.metadatas);
    expect(b.uris).toEqual(a.uris);
    expect(b.embeddings.map((v) => Buffer.from(Float32Array.from(v).buffer).toString("hex"))).toEqual(
      a.embeddings.map((v) => Buffer.from(Float32Array.from(v).buffer).toString("hex")),
    );

    // Again: every id exists → DUPLICATE_ID (exit 1); --resume skips them (exit 0).
    const again = await cli(["import", "--path", target, "--from", file]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("(DUPLICATE_ID)");
    expect(again.stderr).toContain("--resume");
    const resumed = await cli(["import", "--path", target, "--from", file, "--resume"]);
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toMatch(/^imported 0 records into 'docs', 3 already present \(skipped\)/);
  });

  it("writes the data to stdout with --to - (summary on stderr) and reads stdin with --from -", async () => {
    const exported = await cli([
      "export",
      "--path",
      source,
      "--collection",
      "docs",
      "--to",
      "-",
      "--embeddings",
      "numbers",
    ]);
    expect(exported.code).toBe(0);
    const lines = exported.stdout.trimEnd().split("\n");
    expect(JSON.parse(lines[0]!)).toMatchObject({ cairn: "export", embeddings: "numbers", count: 3 });
    expect(JSON.parse(lines[2]!).embedding).toEqual([-0, 3.5]);
    expect(exported.stderr).toMatch(/^exported 3 records of 'docs' to stdout/);

    const target = join(dir, "stdin_db");
    const imported = await cli(
      ["import", "--path", target, "--from", "-", "--collection", "copy"],
      exported.stdout,
    );
    expect(imported.code).toBe(0);
    expect(imported.stdout).toMatch(/^imported 3 records into 'copy' \(created\)/);
    expect((await records(target, "copy")).ids).toEqual(["a", "b", "c"]);
  });

  it("names the malformed line (exit 1) and --resume finishes after the fix", async () => {
    const file = join(dir, "broken.jsonl");
    const good = (await cli(["export", "--path", source, "--collection", "docs", "--to", "-"])).stdout;
    const lines = good.trimEnd().split("\n");
    writeFileSync(file, [...lines.slice(0, 3), '{"id": "c", "embedding": ', ""].join("\n"));
    const target = join(dir, "broken_db");
    const failed = await cli(["import", "--path", target, "--from", file, "--batch-size", "1"]);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain(`${file} line 4: not valid JSON`);
    expect(failed.stderr).toContain("(INVALID_EXPORT_FILE)");
    expect((await records(target, "docs")).ids).toEqual(["a", "b"]);
    writeFileSync(file, good);
    const resumed = await cli(["import", "--path", target, "--from", file, "--resume"]);
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toContain("imported 1 records into 'docs', 2 already present (skipped)");
  });

  it("fails with exit 1 and a code for a missing collection, database or file; 2 for a bad command line", async () => {
    const missing = await cli([
      "export",
      "--path",
      source,
      "--collection",
      "nope",
      "--to",
      join(dir, "x.jsonl"),
    ]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("(COLLECTION_NOT_FOUND)");
    expect(existsSync(join(dir, "x.jsonl"))).toBe(false);
    expect(readdirSync(dir).filter((f) => f.includes(".partial"))).toEqual([]);
    const noDb = await cli(["export", "--path", join(dir, "absent"), "--collection", "docs", "--to", "-"]);
    expect(noDb.code).toBe(1);
    expect(noDb.stderr).toContain("--path: no database folder at");
    expect(existsSync(join(dir, "absent"))).toBe(false);
    const noFile = await cli(["import", "--path", join(dir, "t"), "--from", join(dir, "absent.jsonl")]);
    expect(noFile.code).toBe(1);
    expect(noFile.stderr).toContain("--from: no file at");
    const badEncoding = await cli([
      "export",
      "--path",
      source,
      "--collection",
      "docs",
      "--to",
      "-",
      "--embeddings",
      "hex",
    ]);
    expect(badEncoding.code).toBe(1);
    expect(badEncoding.stderr).toContain("--embeddings: expected base64 or numbers");
    expect((await cli(["export", "--path", source, "--to", "-"])).code).toBe(2);
    expect((await cli(["import", "--path", source])).code).toBe(2);
    expect((await cli(["import", "--from", "x", "--batch-size", "0"])).code).toBe(1);
  });
});

describe("cairn estimate", () => {
  it("prints the estimate of core's estimate(), as text or JSON", async () => {
    const argv = [
      "estimate",
      "--records",
      "1000000",
      "--dimension",
      "768",
      "--metadata-bytes",
      "200",
      "--document-bytes",
      "1000",
    ];
    const text = await cli(argv);
    expect(text.code).toBe(0);
    const e = estimate({ records: 1_000_000, dimension: 768, metadataBytes: 200, documentBytes: 1000 });
    expect(text.stdout).toContain(`disk     ${(e.diskBytes / 2 ** 30).toFixed(2)} GiB`);
    expect(text.stdout).toContain(`RAM      ${(e.ramBytes / 2 ** 30).toFixed(2)} GiB`);
    const json = await cli([...argv, "--json"]);
    expect(JSON.parse(json.stdout)).toEqual(JSON.parse(JSON.stringify(e)));
    const bad = await cli(["estimate", "--records", "many", "--dimension", "8"]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('--records: expected an integer ≥ 0, got "many"');
    expect((await cli(["estimate", "--records", "10"])).code).toBe(2);
  });
});

describe("help", () => {
  it("lists the commands and documents each one", async () => {
    const help = await cli(["--help"]);
    expect(help.code).toBe(0);
    for (const command of ["export [options]", "import [options]", "estimate [options]"])
      expect(help.stdout).toContain(command);
    for (const [command, flag] of [
      ["export", "--embeddings <encoding>"],
      ["import", "--resume"],
      ["estimate", "--metadata-bytes <n>"],
    ] as const) {
      const r = await cli([command, "--help"]);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`Usage: cairn ${command} [options]`);
      expect(r.stdout).toContain(flag);
    }
  });
});
