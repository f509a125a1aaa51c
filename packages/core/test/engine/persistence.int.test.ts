/**
 * Durability across processes: a child writes and exits (or is killed with SIGKILL mid-ingest); a new
 * process sees every acknowledged write, nothing half-written, and an index that agrees with SQLite.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Logger, PersistentClient } from "@cairndb/core";
import { afterEach, describe, expect, it } from "vitest";

const CHILD = fileURLToPath(new URL("../fixtures/ingest-child.mjs", import.meta.url));
const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), "cairn-persist-"));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function runChild(args: string[]): { child: ChildProcess; acks: number[]; done: Promise<number | null> } {
  const child = spawn(process.execPath, [CHILD, ...args], { stdio: ["ignore", "pipe", "inherit"] });
  const acks: number[] = [];
  let buffer = "";
  child.stdout!.on("data", (chunk: Buffer) => {
    buffer += chunk.toString();
    const lines = buffer.split("\n");
    buffer = lines.pop()!;
    for (const line of lines) if (line.startsWith("ack ")) acks.push(Number(line.slice(4)));
  });
  const done = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, acks, done };
}

/** Every record present is findable by an exact-vector query (the index agrees with SQLite). */
async function verifyIndexAgrees(path: string): Promise<number> {
  const client = new PersistentClient({ path });
  try {
    const col = await client.getCollection({ name: "ingest", embeddingFunction: null });
    const all = await col.get({ include: ["embeddings"] });
    expect(await col.count()).toBe(all.ids.length);
    const sample = all.ids.map((_, i) => i).filter((i) => i % 37 === 0);
    for (const i of sample) {
      const hit = await col.query({
        queryEmbeddings: [all.embeddings[i]!],
        nResults: 1,
        include: ["distances"],
      });
      expect(hit.ids[0]![0]).toBe(all.ids[i]);
      expect(hit.distances[0]![0]).toBeCloseTo(0, 5);
    }
    return all.ids.length;
  } finally {
    await client.close();
  }
}

describe("persistence across processes", () => {
  it("a child writes and exits; a new process reads everything back", async () => {
    const path = tempDir();
    const run = runChild([path, "6", "500"]);
    expect(await run.done).toBe(0);
    expect(run.acks).toEqual([0, 1, 2, 3, 4, 5]);
    const client = new PersistentClient({ path });
    const col = await client.getCollection({ name: "ingest", embeddingFunction: null });
    expect(await col.count()).toBe(3000);
    const r = await col.get({ ids: ["b5-r499", "b0-r0"], include: ["documents", "metadatas"] });
    expect(r.ids).toEqual(["b0-r0", "b5-r499"]);
    expect(r.metadatas).toEqual([
      { batch: 0, i: 0 },
      { batch: 5, i: 499 },
    ]);
    await client.close();
    // A snapshot was written (3,000 changes > sync_threshold) and is used on reopen.
    const snapshots = readdirSync(join(path, "index", col.id)).filter((n) => n.startsWith("snap-"));
    expect(snapshots.length).toBeGreaterThan(0);
    expect(await verifyIndexAgrees(path)).toBe(3000);
  });

  it("SIGKILL mid-ingest loses no acknowledged batch and leaves no half-written batch", async () => {
    const path = tempDir();
    for (let round = 0; round < 3; round++) {
      const run = runChild([path, "1000", "200", "upsert"]);
      // Kill once a few batches are acknowledged, at a point that varies per round.
      await new Promise<void>((resolve) => {
        const timer = setInterval(() => {
          if (run.acks.length >= 3 + round * 4) {
            clearInterval(timer);
            resolve();
          }
        }, 2);
      });
      await new Promise((r) => setTimeout(r, round * 7));
      run.child.kill("SIGKILL");
      await run.done;
      const client = new PersistentClient({ path });
      const col = await client.getCollection({ name: "ingest", embeddingFunction: null });
      const acked = Math.max(...run.acks);
      const present = await col.get({ include: ["metadatas"] });
      const batches = new Map<number, number>();
      for (const m of present.metadatas)
        batches.set(m!.batch as number, (batches.get(m!.batch as number) ?? 0) + 1);
      for (let b = 0; b <= acked; b++) expect(batches.get(b), `batch ${b}`).toBe(200);
      for (const [b, n] of batches) expect(n, `batch ${b} is whole`).toBe(200);
      await client.close();
      await verifyIndexAgrees(path);
    }
  });

  it("a damaged index snapshot is rebuilt from SQLite with one warning", async () => {
    const path = tempDir();
    expect(await runChild([path, "6", "500"]).done).toBe(0);
    const probe = new PersistentClient({ path });
    const id = (await probe.getCollection({ name: "ingest", embeddingFunction: null })).id;
    await probe.close();
    const indexDir = join(path, "index", id);
    for (const snap of readdirSync(indexDir).filter((n) => n.startsWith("snap-"))) {
      for (const file of readdirSync(join(indexDir, snap)))
        writeFileSync(join(indexDir, snap, file), "garbage");
    }
    const warnings: string[] = [];
    const logger: Logger = { debug() {}, info() {}, error() {}, warn: (m) => warnings.push(m) };
    const client = new PersistentClient({ path, logger });
    const col = await client.getCollection({ name: "ingest", embeddingFunction: null });
    const all = await col.get({ ids: ["b3-r7"], include: ["embeddings"] });
    const hit = await col.query({ queryEmbeddings: [all.embeddings[0]!], nResults: 1 });
    expect(hit.ids[0]).toEqual(["b3-r7"]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain("rebuilding");
    await client.close();
  });

  it("a missing index folder is rebuilt from SQLite; a corrupt database file is STORAGE_CORRUPT", async () => {
    const path = tempDir();
    expect(await runChild([path, "2", "300"]).done).toBe(0);
    rmSync(join(path, "index"), { recursive: true, force: true });
    expect(await verifyIndexAgrees(path)).toBe(600);
    const bad = tempDir();
    writeFileSync(join(bad, "cairn.sqlite3"), Buffer.alloc(8192, 7));
    expect(() => new PersistentClient({ path: bad })).toThrow(
      expect.objectContaining({ code: "STORAGE_CORRUPT" }),
    );
  });
});
