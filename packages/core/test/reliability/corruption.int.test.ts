/**
 * Damage on disk. A damaged, missing or stale index snapshot is rebuilt from SQLite with exactly one warning
 * and answers correctly; a damaged database file is `STORAGE_CORRUPT` naming the file and the way out —
 * at open, or in the middle of an operation when the damage is found later — never a crash of the process.
 */
import {
  copyFileSync,
  openSync,
  readdirSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
  writeSync,
  closeSync,
} from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { type Collection, PersistentClient } from "@cairndb/core";
import { afterAll, describe, expect, it } from "vitest";
import { collectionIndexDir } from "../../src/engine/snapshots";
import { expectIndexAgrees, recordingLogger, TempDirs, vector } from "./helpers";

const DIM = 12;
const temp = new TempDirs();
afterAll(() => temp.cleanup());

/** A folder with one collection of `batches` × 500 records and at least one snapshot. */
async function buildDatabase(batches = 6, path = temp.make()): Promise<{ path: string; id: string }> {
  const client = new PersistentClient({ path });
  const col = await client.getOrCreateCollection({ name: "ingest", embeddingFunction: null });
  const start = await col.count();
  for (let b = 0; b < batches; b++) await addBatch(col, start + b * 500, 500);
  await client.close();
  return { path, id: col.id };
}

async function addBatch(col: Collection, first: number, n: number): Promise<void> {
  const ids = Array.from({ length: n }, (_, i) => `r${first + i}`);
  await col.add({
    ids,
    embeddings: ids.map((_, i) => vector(first + i, DIM)),
    metadatas: ids.map((_, i) => ({ n: first + i, tag: `t${(first + i) % 7}` })),
    documents: ids.map((id) => `document of ${id}`),
  });
}

/** Opens with a recording logger; checks that the index agrees with SQLite; returns the warnings. */
async function verify(path: string, expected: number): Promise<string[]> {
  const logger = recordingLogger();
  const client = new PersistentClient({ path, logger });
  try {
    const col = await client.getCollection({ name: "ingest", embeddingFunction: null });
    expect(await col.count()).toBe(expected);
    const all = await col.get({ include: ["embeddings"] });
    await expectIndexAgrees(col, all.ids, all.embeddings);
    const few = await col.query({ queryEmbeddings: [vector(3, DIM)], nResults: 10, include: [] });
    expect(few.ids[0]).toHaveLength(Math.min(10, expected));
    for (const id of few.ids[0]!) expect(all.ids).toContain(id);
  } finally {
    await client.close();
  }
  return logger.warnings;
}

/** Every file of every snapshot folder of the collection. */
function snapshotFiles(path: string, id: string): string[] {
  const dir = collectionIndexDir(path, id);
  return readdirSync(dir)
    .filter((n) => n.startsWith("snap-"))
    .flatMap((snap) => readdirSync(join(dir, snap)).map((f) => join(dir, snap, f)));
}

describe("a damaged index is rebuilt from SQLite with one warning", () => {
  const damage: Record<string, (path: string, id: string) => void> = {
    "truncated data files": (p, id) => {
      for (const f of snapshotFiles(p, id).filter((f) => f.endsWith(".bin")))
        truncateSync(f, Math.floor(statSync(f).size / 2));
    },
    "zero-length files": (p, id) => {
      for (const f of snapshotFiles(p, id)) truncateSync(f, 0);
    },
    "garbage files": (p, id) => {
      for (const f of snapshotFiles(p, id)) writeFileSync(f, Buffer.alloc(statSync(f).size, 0x5a));
    },
    "a flipped byte in the graph": (p, id) => {
      for (const f of snapshotFiles(p, id).filter((f) => f.endsWith(".bin"))) {
        const fd = openSync(f, "r+");
        writeSync(fd, Buffer.from([0xff, 0xff, 0xff, 0x7f]), 0, 4, Math.floor(statSync(f).size / 2));
        closeSync(fd);
      }
    },
    "a missing index folder": (p) => rmSync(join(p, "index"), { recursive: true, force: true }),
  };
  for (const [name, harm] of Object.entries(damage)) {
    it(name, async () => {
      const { path, id } = await buildDatabase();
      expect(snapshotFiles(path, id).length).toBeGreaterThan(0);
      harm(path, id);
      const warnings = await verify(path, 3000);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toContain("rebuilding");
      // The rebuilt index was snapshotted again: the next open is clean.
      expect(await verify(path, 3000)).toEqual([]);
    });
  }

  it("a stale snapshot (the database was restored from an older backup) is never used", async () => {
    const { path, id } = await buildDatabase(2);
    const backup = join(temp.make(), "backup.sqlite3");
    copyFileSync(join(path, "cairn.sqlite3"), backup);
    const snapshotsAtBackup = readdirSync(collectionIndexDir(path, id)).filter((n) => n.startsWith("snap-"));
    await buildDatabase(6, path); // 3,000 more records and newer snapshots, then the backup comes back
    rmSync(join(path, "cairn.sqlite3-wal"), { force: true });
    copyFileSync(backup, join(path, "cairn.sqlite3"));
    // Writes to another collection advance the global sequence past the newer snapshots' watermarks, so only
    // the registry (not the watermark) tells them apart from valid ones.
    const other = new PersistentClient({ path });
    const side = await other.createCollection({ name: "other", embeddingFunction: null });
    for (let b = 0; b < 30; b++) await side.add({ ids: [`o${b}`], embeddings: [vector(90_000 + b, DIM)] });
    await other.close();
    // The backup's own snapshots were replaced on disk by the newer ones: nothing on disk fits the database.
    expect(readdirSync(collectionIndexDir(path, id)).filter((n) => snapshotsAtBackup.includes(n))).toEqual(
      [],
    );
    const warnings = await verify(path, 1000);
    expect(warnings).toHaveLength(1);
  });
});

describe("a damaged database file is STORAGE_CORRUPT, never a crash", () => {
  /** Opens the database and reads everything, the way an application would. */
  async function useDatabase(path: string): Promise<void> {
    const client = new PersistentClient({ path });
    try {
      const col = await client.getCollection({ name: "ingest", embeddingFunction: null });
      await col.get({ include: ["embeddings", "metadatas", "documents"] });
      await col.get({ ids: ["r1", "r321", "r500", "r777", "r999"] });
      await col.get({ where: { tag: "t3" }, whereDocument: { $contains: "document" } });
      await col.query({ queryEmbeddings: [vector(1, DIM)], nResults: 5, where: { n: { $gte: 10 } } });
    } finally {
      await client.close().catch(() => undefined);
    }
  }

  async function expectCorrupt(path: string): Promise<void> {
    const error = await useDatabase(path).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({
      code: "STORAGE_CORRUPT",
      details: expect.objectContaining({ file: join(path, "cairn.sqlite3") }),
    });
    expect((error as Error).message).toContain(join(path, "cairn.sqlite3"));
    expect((error as Error).message).toContain(".recover");
  }

  /** Overwrites leaf pages of a table or index with garbage: the middle one, or all of them. */
  function smashPagesOf(path: string, table: string, which: "middle" | "all"): void {
    const file = join(path, "cairn.sqlite3");
    const db = new Database(file, { readonly: true });
    const pages = db
      .prepare("SELECT pageno FROM dbstat WHERE name = ? AND pagetype = 'leaf' ORDER BY pageno")
      .pluck()
      .all(table) as number[];
    const pageSize = db.pragma("page_size", { simple: true }) as number;
    db.close();
    expect(pages.length).toBeGreaterThan(0);
    const fd = openSync(file, "r+");
    for (const page of which === "all" ? pages : [pages[Math.floor(pages.length / 2)]!]) {
      writeSync(fd, Buffer.alloc(pageSize, 0xa5), 0, pageSize, (page - 1) * pageSize);
    }
    closeSync(fd);
  }

  it("garbage in the header", async () => {
    const { path } = await buildDatabase(2);
    const fd = openSync(join(path, "cairn.sqlite3"), "r+");
    writeSync(fd, Buffer.from("definitely not SQLite"), 0, 21, 0);
    closeSync(fd);
    await expectCorrupt(path);
  });

  it("a file truncated to half, to an odd size, or to zero bytes", async () => {
    for (const size of [(s: number) => Math.floor(s / 2), () => 4096 * 3 + 17, () => 0]) {
      const { path } = await buildDatabase(2);
      const file = join(path, "cairn.sqlite3");
      truncateSync(file, size(statSync(file).size));
      await expectCorrupt(path);
    }
  });

  it("an overwritten page of records, or damaged metadata, full-text or id index pages", async () => {
    const cases = [
      ["records", "middle"],
      ["record_metadata", "all"],
      ["record_metadata_by_str", "all"],
      ["records_fts_data", "all"],
      ["sqlite_autoindex_records_1", "all"],
    ] as const;
    for (const [table, which] of cases) {
      const { path } = await buildDatabase(2);
      smashPagesOf(path, table, which);
      await expectCorrupt(path);
    }
  });

  it("damage found mid-operation: the call fails, nothing is written, the client keeps working", async () => {
    const { path } = await buildDatabase(2);
    smashPagesOf(path, "record_metadata_by_str", "all");
    const client = new PersistentClient({ path });
    const col = await client.getCollection({ name: "ingest", embeddingFunction: null });
    expect(await col.count()).toBe(1000);
    await expect(col.get({ where: { tag: "t3" } })).rejects.toMatchObject({ code: "STORAGE_CORRUPT" });
    await expect(
      col.add({ ids: ["new"], embeddings: [vector(1, DIM)], metadatas: [{ tag: "t3" }] }),
    ).rejects.toMatchObject({
      code: "STORAGE_CORRUPT",
    });
    expect(await col.count()).toBe(1000);
    expect((await col.get({ ids: ["r5"] })).ids).toEqual(["r5"]);
    await client.close();
  });
});
