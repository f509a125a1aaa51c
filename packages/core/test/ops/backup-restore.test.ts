/**
 * Backup and restore of a database folder: the restored folder holds exactly the source's content, index
 * snapshots included (they load without a rebuild); the manifest describes it; damaged, incomplete and
 * newer-format backups are refused with coded errors before anything is written; a non-empty destination is
 * refused without `force`, and `force` replaces only a database folder.
 */
import { createHash } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  truncateSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import {
  BACKUP_FORMAT,
  type BackupManifest,
  backup,
  CAIRN_VERSION,
  CairnError,
  check,
  MANIFEST_FILE,
  PersistentClient,
  restore,
} from "@cairndb/core";
import { afterAll, describe, expect, it } from "vitest";
import { recordingLogger } from "../reliability/helpers";
import { dumpFolder, populate, TempDirs, vector } from "./helpers";

const temp = new TempDirs();
afterAll(() => temp.cleanup());

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(CairnError);
    return (error as CairnError).code;
  }
  throw new Error("expected the call to fail");
}

describe("backup", () => {
  it("writes a folder with the database, the index snapshots and a complete manifest", async () => {
    const dir = temp.make();
    const source = join(dir, "db");
    await populate(source);
    const to = join(dir, "backups", "one.cairn");
    const result = await backup({ path: source, to });
    expect(result.to).toBe(to);
    const manifest = JSON.parse(readFileSync(join(to, MANIFEST_FILE), "utf8")) as BackupManifest;
    expect(manifest).toEqual(result.manifest);
    expect(manifest.format).toBe(BACKUP_FORMAT);
    expect(manifest.cairnVersion).toBe(CAIRN_VERSION);
    expect(manifest.schemaVersion).toBe(2);
    expect(manifest.sequence).toBe(4); // one per write call: 3 adds and 1 delete
    expect(manifest.collections.map((c) => [c.name, c.count, c.dimension])).toEqual([
      ["docs", 597, 8],
      ["empty", 0, null],
    ]);
    expect(manifest.indexSnapshots).toHaveLength(1);
    const snap = manifest.indexSnapshots[0]!;
    expect(snap.watermark).toBeLessThanOrEqual(manifest.sequence);
    expect(manifest.files.map((f) => f.path).filter((p) => !p.startsWith("index/"))).toEqual([
      "cairn.sqlite3",
    ]);
    for (const file of manifest.files) {
      const bytes = readFileSync(join(to, file.path));
      expect(bytes.length).toBe(file.bytes);
      expect(createHash("sha256").update(bytes).digest("hex")).toBe(file.sha256);
    }
    expect(manifest.files.some((f) => f.path.startsWith(`index/${snap.collectionId}/${snap.name}/`))).toBe(
      true,
    );
    // Nothing but the backup beside it (the temporary folder was renamed).
    expect(readdirSync(join(dir, "backups"))).toEqual(["one.cairn"]);
    expect(result.bytes).toBe(manifest.files.reduce((s, f) => s + f.bytes, 0));
  });

  it("refuses an existing destination and a folder without a database", async () => {
    const dir = temp.make();
    const source = join(dir, "db");
    await populate(source, 10);
    mkdirSync(join(dir, "taken"));
    writeFileSync(join(dir, "taken", "x"), "x");
    expect(await codeOf(backup({ path: source, to: join(dir, "taken") }))).toBe("DESTINATION_EXISTS");
    expect(await codeOf(backup({ path: join(dir, "nothing"), to: join(dir, "b") }))).toBe("INVALID_ARGUMENT");
    expect(await codeOf(backup({ path: source } as never))).toBe("INVALID_ARGUMENT");
    expect(await codeOf(backup({ path: source, to: join(dir, "b"), extra: 1 } as never))).toBe(
      "UNKNOWN_OPTION",
    );
    expect(existsSync(join(dir, "b"))).toBe(false);
  });
});

describe("restore", () => {
  it("restores exactly the source's content; its index snapshot loads without a rebuild", async () => {
    const dir = temp.make();
    const source = join(dir, "db");
    await populate(source);
    const to = join(dir, "b.cairn");
    const { manifest } = await backup({ path: source, to });
    const target = join(dir, "restored");
    const result = await restore({ from: to, path: target });
    expect(result.replaced).toBe(false);
    expect(result.manifest.sequence).toBe(manifest.sequence);
    expect(await dumpFolder(target)).toEqual(await dumpFolder(source));
    const logger = recordingLogger();
    const client = new PersistentClient({ path: target, logger });
    try {
      const docs = await client.getCollection({ name: "docs", embeddingFunction: null });
      const hits = await docs.query({
        queryEmbeddings: [vector(10, 8)],
        nResults: 3,
        where: { even: true },
        whereDocument: { $contains: "topic" },
      });
      expect(hits.ids[0]![0]).toBe("r10");
      expect(logger.warnings).toEqual([]);
    } finally {
      await client.close();
    }
    expect((await check({ path: target })).healthy).toBe(true);
  });

  it("a backup without index snapshots restores too (the index is rebuilt from the records)", async () => {
    const dir = temp.make();
    const source = join(dir, "db");
    await populate(source);
    const { manifest } = await backup({ path: source, to: join(dir, "b"), includeIndex: false });
    expect(manifest.indexSnapshots).toEqual([]);
    expect(manifest.files.map((f) => f.path)).toEqual(["cairn.sqlite3"]);
    await restore({ from: join(dir, "b"), path: join(dir, "r") });
    expect(await dumpFolder(join(dir, "r"))).toEqual(await dumpFolder(source));
  });

  it("refuses a non-empty destination without force; force replaces a database folder only", async () => {
    const dir = temp.make();
    const source = join(dir, "db");
    await populate(source, 50);
    await backup({ path: source, to: join(dir, "b") });
    const other = join(dir, "other");
    await populate(other, 20);
    const before = await dumpFolder(other);
    expect(await codeOf(restore({ from: join(dir, "b"), path: other }))).toBe("DESTINATION_EXISTS");
    expect(await dumpFolder(other)).toEqual(before);
    const result = await restore({ from: join(dir, "b"), path: other, force: true });
    expect(result.replaced).toBe(true);
    expect(await dumpFolder(other)).toEqual(await dumpFolder(source));
    expect(readdirSync(dir).sort()).toEqual(["b", "db", "other"]);
    const notADatabase = join(dir, "photos");
    mkdirSync(notADatabase);
    writeFileSync(join(notADatabase, "cat.jpg"), "meow");
    expect(await codeOf(restore({ from: join(dir, "b"), path: notADatabase, force: true }))).toBe(
      "DESTINATION_EXISTS",
    );
    expect(readdirSync(notADatabase)).toEqual(["cat.jpg"]);
  });

  describe("refuses a damaged or incomplete backup before writing anything", () => {
    const cases: [string, (backupDir: string, manifest: BackupManifest) => void, string][] = [
      ["no manifest (an unfinished backup)", (b) => rmSync(join(b, MANIFEST_FILE)), "BACKUP_INVALID"],
      ["a damaged manifest", (b) => writeFileSync(join(b, MANIFEST_FILE), "{ not json"), "BACKUP_INVALID"],
      [
        "a missing index file",
        (b, m) => rmSync(join(b, m.files.find((f) => f.path.startsWith("index/"))!.path)),
        "BACKUP_INVALID",
      ],
      ["a truncated database file", (b) => truncateSync(join(b, "cairn.sqlite3"), 4096), "BACKUP_INVALID"],
      [
        "a flipped byte in the database file",
        (b) => {
          const file = join(b, "cairn.sqlite3");
          const bytes = readFileSync(file);
          const at = bytes.length - 100;
          bytes[at] = bytes[at]! ^ 0xff;
          writeFileSync(file, bytes);
        },
        "BACKUP_INVALID",
      ],
      [
        "an unknown format",
        (b, m) => writeFileSync(join(b, MANIFEST_FILE), JSON.stringify({ ...m, format: "cairn-backup/9" })),
        "BACKUP_INVALID",
      ],
      [
        "a newer schema",
        (b, m) => writeFileSync(join(b, MANIFEST_FILE), JSON.stringify({ ...m, schemaVersion: 99 })),
        "STORAGE_TOO_NEW",
      ],
      [
        "a manifest that lies about the counts",
        (b, m) =>
          writeFileSync(
            join(b, MANIFEST_FILE),
            JSON.stringify({ ...m, collections: m.collections.map((c) => ({ ...c, count: c.count + 1 })) }),
          ),
        "BACKUP_INVALID",
      ],
    ];
    it.each(cases)("%s", async (_name, damage, code) => {
      const dir = temp.make();
      const source = join(dir, "db");
      await populate(source, 300);
      const { manifest } = await backup({ path: source, to: join(dir, "b") });
      damage(join(dir, "b"), manifest);
      expect(await codeOf(restore({ from: join(dir, "b"), path: join(dir, "r") }))).toBe(code);
      expect(readdirSync(dir).sort()).toEqual(["b", "db"]);
    });
  });
});
