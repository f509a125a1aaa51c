/**
 * Upgrades. A database written by release 0.1.0 (committed under test/fixtures/upgrade/, made by
 * make-fixture.mjs there) opens in this build and reads back exactly what that release wrote, its index
 * snapshot included; it passes `check` and takes new writes. A database whose format is newer than this
 * build's is refused with `STORAGE_TOO_NEW` by every entry point, and not a byte of its folder changes.
 */
import { cpSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { backup, check, PersistentClient, vacuum } from "@cairndb/core";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { recordingLogger } from "../reliability/helpers";
import { TempDirs } from "./helpers";
import { hashFile, listFiles } from "../../src/ops/files";

const temp = new TempDirs();
afterAll(() => temp.cleanup());

const FIXTURES = fileURLToPath(new URL("../fixtures/upgrade/", import.meta.url));

interface Expected {
  cairnVersion: string;
  collections: {
    name: string;
    metadata: unknown;
    space: string;
    count: number;
    records: {
      id: string;
      document: string | null;
      metadata: unknown;
      uri: string | null;
      embedding: number[];
    }[];
  }[];
}

/** A writable copy of a committed fixture folder (tests never open the committed files themselves). */
function copyFixture(name: string): string {
  const path = join(temp.make("cairn-upgrade-"), "db");
  cpSync(join(FIXTURES, name), path, { recursive: true });
  return path;
}

/** SHA-256 of every file of a folder, by relative path. */
function folderHashes(path: string): Record<string, string> {
  return Object.fromEntries(listFiles(path).map((f) => [f, hashFile(join(path, f)).sha256]));
}

describe("a database written by 0.1.0", () => {
  const expected = JSON.parse(readFileSync(join(FIXTURES, "db-0.1.0.expected.json"), "utf8")) as Expected;

  it("reads back exactly what 0.1.0 wrote, with its index snapshot", async () => {
    expect(expected.cairnVersion).toBe("0.1.0");
    const path = copyFixture("db-0.1.0");
    const logger = recordingLogger();
    const client = new PersistentClient({ path, logger });
    try {
      const names = (await client.listCollections()).map((c) => c.name);
      expect(names).toEqual(["docs", "cosine", "empty"]);
      for (const want of expected.collections) {
        const col = await client.getCollection({ name: want.name, embeddingFunction: null });
        expect(col.metadata ?? null).toEqual(want.metadata);
        expect(col.configuration.hnsw?.space).toBe(want.space);
        expect(await col.count()).toBe(want.count);
        const all = await col.get({ include: ["documents", "metadatas", "embeddings", "uris"] });
        expect(
          all.ids.map((id, i) => ({
            id,
            document: all.documents[i] ?? null,
            metadata: all.metadatas[i] ?? null,
            uri: all.uris[i] ?? null,
            embedding: all.embeddings[i],
          })),
        ).toEqual(want.records);
      }
      // Spot checks written out by hand, independent of the generated expectations.
      const docs = await client.getCollection({ name: "docs", embeddingFunction: null });
      const five = await docs.get({ ids: ["doc-05", "doc-07"], include: ["documents", "metadatas"] });
      expect(five.ids).toEqual(["doc-05"]);
      expect(five.documents).toEqual(["doc-05 was updated"]);
      // update merges metadata, as in Chroma
      expect(five.metadatas).toEqual([
        { i: 5, even: false, ratio: 1.25, label: "l2", tags: ["x", "t1"], updated: true },
      ]);
      const filtered = await docs.get({
        where: { $and: [{ even: true }, { tags: { $contains: "t2" } }] },
        include: [],
      });
      expect(filtered.ids).toEqual([
        "doc-02",
        "doc-06",
        "doc-10",
        "doc-14",
        "doc-18",
        "doc-22",
        "doc-26",
        "doc-30",
        "doc-34",
        "doc-38",
        "doc-42",
        "doc-46",
        "doc-50",
        "doc-54",
        "doc-58",
      ]);
      const text = await docs.get({ whereDocument: { $contains: "odd document" }, include: [] });
      expect(text.ids).toHaveLength(28); // 30 odd ids, less doc-05 (rewritten) and doc-07 (deleted)
      const hit = await docs.query({
        queryEmbeddings: [expected.collections[0]!.records[10]!.embedding],
        nResults: 1,
        include: ["distances"],
      });
      expect(hit.ids[0]![0]).toBe(expected.collections[0]!.records[10]!.id);
      // The snapshot 0.1.0 wrote loaded: no rebuild warning.
      expect(logger.warnings).toEqual([]);
      await docs.add({ ids: ["new"], embeddings: [[0, 0, 0, 1]] });
      expect(await docs.count()).toBe(59);
    } finally {
      await client.close();
    }
    expect((await check({ path })).problems).toEqual([]);
  });
});

describe("a database of a newer format", () => {
  function newerFormat(): string {
    const path = copyFixture("db-0.1.0");
    const db = new Database(join(path, "cairn.sqlite3"));
    db.pragma("user_version = 99");
    db.close();
    return path;
  }

  it("is refused by the client with STORAGE_TOO_NEW and never modified", async () => {
    const path = newerFormat();
    const before = folderHashes(path);
    let error: unknown;
    try {
      const client = new PersistentClient({ path });
      await client.listCollections();
      await client.close();
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ code: "STORAGE_TOO_NEW" });
    expect((error as Error).message).toContain("format version 99, newer than this Cairn understands (2)");
    expect((error as Error).message).toContain("Upgrade @cairndb/core");
    expect(folderHashes(path)).toEqual(before);
  });

  it.each([
    ["backup", (path: string) => backup({ path, to: `${path}-backup` })],
    ["check", (path: string) => check({ path, repair: true })],
    ["vacuum", (path: string) => vacuum({ path })],
  ])("is refused by %s with STORAGE_TOO_NEW and never modified", async (_name, run) => {
    const path = newerFormat();
    const before = folderHashes(path);
    await expect(run(path)).rejects.toMatchObject({ code: "STORAGE_TOO_NEW" });
    expect(folderHashes(path)).toEqual(before);
  });
});

describe("the committed fixture", () => {
  it("is a checkpointed database of format version 2 (no WAL beside it)", () => {
    const files = listFiles(join(FIXTURES, "db-0.1.0"));
    expect(files.filter((f) => !f.startsWith("index/"))).toEqual(["cairn.sqlite3"]);
    // Read from the header (offset 60: user_version), never through SQLite, which would create a WAL here.
    const header = readFileSync(join(FIXTURES, "db-0.1.0", "cairn.sqlite3")).subarray(0, 100);
    expect(header.subarray(0, 16).toString("latin1")).toBe("SQLite format 3\u0000");
    expect(header.readUInt32BE(60)).toBe(2);
  });
});
