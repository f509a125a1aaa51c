/**
 * `cairn backup`, `cairn restore` and `cairn check` in-process: what they print, their exit codes (0 done or
 * healthy, 1 failure or damaged, 2 usage error), `--json`, `--force`, `--repair`, and their `--help`.
 */
import { readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { PersistentClient, type Where } from "@cairndb/core";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "../src/commands/program";
import { sink, tempDir } from "./helpers";

const dirs: (() => void)[] = [];
afterAll(() => {
  for (const remove of dirs) remove();
});
function folder(): string {
  const { dir, remove } = tempDir("cairn-ops-cli-");
  dirs.push(remove);
  return dir;
}

async function cli(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = sink();
  const err = sink();
  const code = await runCli(argv, { stdout: out.stream, stderr: err.stream });
  return { code, stdout: out.text(), stderr: err.text() };
}

async function populate(path: string): Promise<void> {
  const client = new PersistentClient({ path });
  const col = await client.createCollection({
    name: "notes",
    embeddingFunction: null,
    configuration: { hnsw: { sync_threshold: 10, batch_size: 10 } },
  });
  await col.add({
    ids: ["a", "b", "c"],
    embeddings: [
      [1, 0],
      [0, 1],
      [1, 1],
    ],
    metadatas: [{ k: 1 }, { k: 2 }, { k: 3 }],
  });
  // The index exists once read; the next 12 changes reach sync_threshold and are snapshotted on close.
  await col.query({ queryEmbeddings: [[1, 0]], nResults: 1 });
  await col.add({
    ids: Array.from({ length: 12 }, (_, i) => `x${i}`),
    embeddings: Array.from({ length: 12 }, (_, i) => [i, -1]),
    metadatas: Array.from({ length: 12 }, () => ({ k: 0 })),
  });
  await client.close();
}

async function ids(path: string, where?: Where): Promise<string[]> {
  const client = new PersistentClient({ path });
  try {
    const col = await client.getCollection({ name: "notes", embeddingFunction: null });
    return (await col.get(where ? { where } : {})).ids;
  } finally {
    await client.close();
  }
}

describe("cairn backup / restore", () => {
  it("backs up, refuses to overwrite, restores, and refuses a non-empty folder without --force", async () => {
    const dir = folder();
    const db = join(dir, "db");
    await populate(db);
    const b = await cli(["backup", "--path", db, "--to", join(dir, "b.cairn")]);
    expect(b.code, b.stderr).toBe(0);
    expect(b.stdout).toMatch(
      /^backed up .+ at sequence 2: 1 collection\(s\), 15 record\(s\), 1 index snapshot\(s\)/,
    );
    const again = await cli(["backup", "--path", db, "--to", join(dir, "b.cairn")]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("(DESTINATION_EXISTS)");

    const r = await cli(["restore", "--from", join(dir, "b.cairn"), "--path", join(dir, "r")]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      /^restored .+: sequence 2, 1 collection\(s\), 15 record\(s\), .+checksums verified\n$/,
    );
    expect((await ids(join(dir, "r"))).slice(0, 3)).toEqual(["a", "b", "c"]);

    const busy = await cli(["restore", "--from", join(dir, "b.cairn"), "--path", db]);
    expect(busy.code).toBe(1);
    expect(busy.stderr).toContain("(DESTINATION_EXISTS)");
    const forced = await cli(["restore", "--from", join(dir, "b.cairn"), "--path", db, "--force", "--json"]);
    expect(forced.code, forced.stderr).toBe(0);
    expect(JSON.parse(forced.stdout)).toMatchObject({ replaced: true, manifest: { sequence: 2 } });
  });

  it("--json prints the manifest; a partial backup is refused with BACKUP_INVALID", async () => {
    const dir = folder();
    const db = join(dir, "db");
    await populate(db);
    const b = await cli(["backup", "--path", db, "--to", join(dir, "b"), "--json", "--no-index"]);
    expect(b.code, b.stderr).toBe(0);
    const printed = JSON.parse(b.stdout) as { manifest: { format: string; files: { path: string }[] } };
    expect(printed.manifest.format).toBe("cairn-backup/1");
    expect(printed.manifest.files.map((f) => f.path)).toEqual(["cairn.sqlite3"]);
    rmSync(join(dir, "b", "manifest.json"));
    const r = await cli(["restore", "--from", join(dir, "b"), "--path", join(dir, "r")]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/did not finish.*\(BACKUP_INVALID\)/);
  });

  it("usage errors exit 2", async () => {
    expect((await cli(["backup", "--path", "x"])).code).toBe(2); // --to is required
    expect((await cli(["restore", "--path", "x"])).code).toBe(2); // --from is required
    expect((await cli(["check", "--bogus"])).code).toBe(2);
  });
});

describe("cairn check", () => {
  it("exits 0 when healthy, 1 when damaged naming the fix, and --repair makes it healthy", async () => {
    const dir = folder();
    const db = join(dir, "db");
    await populate(db);
    const ok = await cli(["check", "--path", db]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toBe(`healthy: ${db} (1 collection(s), 15 record(s), sequence 2)\n`);

    // Remove the index snapshot (the collection snapshots every 10 changes): check must name it.
    const index = join(db, "index");
    const [collection] = readdirSync(index);
    const snap = readdirSync(join(index, collection!)).find((n) => n.startsWith("snap-"))!;
    rmSync(join(index, collection!, snap), { recursive: true });
    const bad = await cli(["check", "--path", db]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain(`damaged: ${db}`);
    expect(bad.stdout).toContain(
      `- index (default_tenant/default_database/notes): index snapshot ${snap}: the folder is missing`,
    );
    expect(bad.stdout).toContain(`  fix: cairn check --path ${JSON.stringify(db)} --repair`);
    const json = await cli(["check", "--path", db, "--json"]);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({
      healthy: false,
      problems: [{ kind: "index", repairable: true }],
    });

    const fixed = await cli(["check", "--path", db, "--repair"]);
    expect(fixed.code, fixed.stdout).toBe(0);
    expect(fixed.stdout).toMatch(
      /^repaired index \(default_tenant\/default_database\/notes\): rebuilt the vector index snapshot from the records\nhealthy: /,
    );
    expect(await ids(db, { k: 2 })).toEqual(["b"]);
    expect((await cli(["check", "--path", db])).code).toBe(0);
  });

  it("a folder without a database is an error (exit 1)", async () => {
    const r = await cli(["check", "--path", join(folder(), "nothing")]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("(INVALID_ARGUMENT)");
  });
});

describe("help", () => {
  it("cairn --help lists backup, restore and check; each has its own help", async () => {
    const top = await cli(["--help"]);
    for (const command of ["backup", "restore", "check"])
      expect(top.stdout).toMatch(new RegExp(`\\n  ${command} `));
    for (const [command, flags] of [
      ["backup", ["--path <dir>", "--to <dir>", "--no-index", "--json"]],
      ["restore", ["--from <dir>", "--path <dir>", "--force", "--json"]],
      ["check", ["--path <dir>", "--repair", "--json"]],
    ] as const) {
      const help = await cli([command, "--help"]);
      expect(help.code).toBe(0);
      expect(help.stdout).toContain(`Usage: cairn ${command} [options]`);
      for (const flag of flags) expect(help.stdout).toContain(flag);
    }
  });
});
