/**
 * `check` and `check({ repair: true })`: each kind of derived structure is damaged in turn — metadata rows,
 * full-text rows, the index snapshot (removed, damaged) — and the check names it with the command that fixes
 * it; queries that depend on it are wrong before the repair and exact after it; the records are untouched.
 * Damaged records and a damaged file are reported as not repairable.
 */
import { readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { check, PersistentClient } from "@cairndb/core";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { dumpFolder, populate, TempDirs, vector } from "./helpers";

const temp = new TempDirs();
afterAll(() => temp.cleanup());

/** Runs SQL on a closed database folder's file, as damage from outside would. */
function damageSql(path: string, sql: string): void {
  const db = new Database(join(path, "cairn.sqlite3"));
  try {
    db.exec(sql);
  } finally {
    db.close();
  }
}

/** The newest registered snapshot folder of the "docs" collection. */
function snapshotDir(path: string): string {
  const db = new Database(join(path, "cairn.sqlite3"), { readonly: true });
  try {
    const row = db
      .prepare(
        "SELECT s.collection_id AS id, s.name FROM index_snapshots s JOIN collections c ON c.id = s.collection_id WHERE c.name = 'docs' ORDER BY watermark DESC LIMIT 1",
      )
      .get() as { id: string; name: string };
    return join(path, "index", row.id, row.name);
  } finally {
    db.close();
  }
}

/** What the filtered queries that depend on each derived structure return. */
async function answers(path: string): Promise<unknown> {
  const client = new PersistentClient({ path });
  try {
    const docs = await client.getCollection({ name: "docs", embeddingFunction: null });
    const even = await docs.get({ where: { even: true }, include: [] });
    const tagged = await docs.get({ where: { tags: { $contains: "t2" } }, include: [] });
    const text = await docs.get({ whereDocument: { $contains: "topic 3" }, include: [] });
    const near = await docs.query({ queryEmbeddings: [vector(100, 8), vector(333, 8)], nResults: 5 });
    return { even: even.ids, tagged: tagged.ids, text: text.ids, near: near.ids, count: await docs.count() };
  } finally {
    await client.close();
  }
}

const damages: [kind: string, what: string, damage: (path: string) => void, changesAnswers: boolean][] = [
  [
    "metadata",
    "deleted metadata rows",
    (p) => damageSql(p, "DELETE FROM record_metadata WHERE label % 5 = 0"),
    true,
  ],
  [
    "metadata",
    "a metadata row with a wrong value",
    (p) => damageSql(p, "UPDATE record_metadata SET num = 1 - num WHERE key = 'even' AND label = 50"),
    true,
  ],
  [
    "metadata",
    "orphan metadata rows",
    (p) =>
      damageSql(
        p,
        "INSERT INTO record_metadata SELECT label + 100000, collection_id, key, type, str, num, is_array FROM record_metadata LIMIT 10",
      ),
    false,
  ],
  ["fts", "deleted full-text rows", (p) => damageSql(p, "DELETE FROM records_fts WHERE rowid % 4 = 0"), true],
  [
    "fts",
    "a full-text row with other text",
    // Label 11 is r10, a document about topic 3.
    (p) => damageSql(p, "UPDATE records_fts SET document = 'nothing here' WHERE rowid = 11"),
    true,
  ],
  ["index", "a removed index snapshot folder", (p) => rmSync(snapshotDir(p), { recursive: true }), false],
  [
    "index",
    "a damaged index snapshot file",
    (p) => {
      const dir = snapshotDir(p);
      for (const name of readdirSync(dir).filter((n) => !n.endsWith(".json")))
        writeFileSync(join(dir, name), Buffer.alloc(64, 7));
    },
    false,
  ],
];

describe("check and repair", () => {
  it("reports a healthy database as healthy", async () => {
    const path = join(temp.make(), "db");
    await populate(path);
    const report = await check({ path });
    expect(report).toMatchObject({ healthy: true, problems: [], repaired: [], collections: 2, records: 597 });
    expect(report.sequence).toBe(4);
  });

  it.each(damages)("%s: %s → named, repaired, queries exact again", async (kind, _what, damage, changes) => {
    const path = join(temp.make(), "db");
    await populate(path);
    const expected = await answers(path);
    const records = await dumpFolder(path);
    damage(path);
    if (changes) expect(await answers(path)).not.toEqual(expected);

    const report = await check({ path });
    expect(report.healthy).toBe(false);
    expect(report.problems.map((p) => p.kind)).toEqual([kind]);
    const [problem] = report.problems;
    expect(problem!.repairable).toBe(true);
    expect(problem!.fix).toBe(`cairn check --path ${JSON.stringify(path)} --repair`);
    if (kind === "index") expect(problem!.collection).toBe("default_tenant/default_database/docs");

    const repaired = await check({ path, repair: true });
    expect(repaired.healthy).toBe(true);
    expect(repaired.problems).toEqual([]);
    expect(repaired.repaired.map((r) => r.kind)).toEqual([kind]);
    expect(await answers(path)).toEqual(expected);
    expect(await dumpFolder(path)).toEqual(records);
    expect((await check({ path })).healthy).toBe(true);
  });

  it("names every damaged structure at once and repairs them together", async () => {
    const path = join(temp.make(), "db");
    await populate(path);
    const expected = await answers(path);
    for (const [, , damage] of [damages[0]!, damages[3]!, damages[5]!]) damage(path);
    const report = await check({ path });
    expect(report.problems.map((p) => p.kind)).toEqual(["metadata", "fts", "index"]);
    const repaired = await check({ path, repair: true });
    expect(repaired.healthy).toBe(true);
    expect(await answers(path)).toEqual(expected);
  });

  it("reports damaged records as not repairable, and repair leaves them alone", async () => {
    const path = join(temp.make(), "db");
    await populate(path, 50);
    damageSql(path, "UPDATE records SET embedding = x'00000000' WHERE id = 'r7'");
    const report = await check({ path, repair: true });
    expect(report.healthy).toBe(false);
    expect(report.repaired).toEqual([]);
    expect(report.problems).toEqual([
      expect.objectContaining({
        kind: "records",
        repairable: false,
        fix: expect.stringContaining("cairn restore"),
      }),
    ]);
    expect(report.problems[0]!.message).toContain("1 record(s) hold a vector");
  });

  it("reports a database file that cannot be read as damaged instead of throwing", async () => {
    const path = join(temp.make(), "db");
    await populate(path, 50);
    writeFileSync(join(path, "cairn.sqlite3"), Buffer.alloc(8192, 0x41));
    const report = await check({ path });
    expect(report.healthy).toBe(false);
    expect(report.problems).toEqual([expect.objectContaining({ kind: "sqlite", repairable: false })]);
  });

  it("refuses a folder without a database", async () => {
    await expect(check({ path: join(temp.make(), "none") })).rejects.toMatchObject({
      code: "INVALID_ARGUMENT",
    });
  });
});
