/**
 * Many processes on one database: 4 writer processes × 5,000 adds (batches of 100, queries interleaved) into
 * one collection while a fifth process checks, after every acknowledged batch, that it can see that batch
 * (a read sees every write committed before it began). No caller may see an error; afterwards every record is
 * present and found by an exact-vector query, also after a reopen. Writes/s with 4 writers vs 1 are printed.
 */
import { statSync } from "node:fs";
import { join } from "node:path";
import { PersistentClient } from "@cairndb/core";
import { afterAll, describe, expect, it } from "vitest";
import { type Child, expectIndexAgrees, fixture, spawnChild, TempDirs } from "./helpers";

const WRITERS = 4;
const PER_WRITER = 5_000;
const BATCH = 100;
const DIM = 16;
const temp = new TempDirs();
afterAll(() => temp.cleanup());

interface RunResult {
  elapsedMs: number;
  /** Largest WAL file seen while the writers ran. */
  maxWal: number;
  errors: string[];
  misses: string[];
  checked: number;
}

/** Runs `writers` writer processes (and optionally the checking reader) on `path` until all exit. */
async function runWriters(path: string, writers: number, withReader: boolean): Promise<RunResult> {
  const reader = withReader ? spawnChild(fixture("reader.mjs"), [path, String(DIM)], "pipe") : undefined;
  const started = performance.now();
  const children: Child[] = [];
  for (let w = 0; w < writers; w++) {
    const child = spawnChild(fixture("writer.mjs"), [
      path,
      String(w),
      String(PER_WRITER),
      String(BATCH),
      String(DIM),
    ]);
    child.onLine((line) => {
      const [kind, writer, batch] = line.split(" ");
      if (kind === "ack" && reader) reader.proc.stdin!.write(`check ${writer} ${batch} ${BATCH}\n`);
    });
    children.push(child);
  }
  let maxWal = 0;
  const walProbe = setInterval(() => {
    try {
      maxWal = Math.max(maxWal, statSync(join(path, "cairn.sqlite3-wal")).size);
    } catch {
      // Not created yet.
    }
  }, 20);
  const exits = await Promise.all(children.map((c) => c.exited));
  clearInterval(walProbe);
  const elapsedMs = performance.now() - started;
  if (reader) {
    reader.proc.stdin!.end("end\n");
    await reader.exited;
  }
  const all = [...children, ...(reader ? [reader] : [])];
  const errors = [
    ...all.flatMap((c) => c.lines.filter((l) => l.startsWith("error"))),
    ...exits.flatMap((e, i) =>
      e.code === 0 ? [] : [`writer ${i} exited with ${e.code ?? e.signal}: ${children[i]!.stderr()}`],
    ),
  ];
  const misses = all.flatMap((c) => c.lines.filter((l) => l.startsWith("miss")));
  const checkedLine = reader?.lines.find((l) => l.startsWith("checked")) ?? "checked 0 0";
  return { elapsedMs, maxWal, errors, misses, checked: Number(checkedLine.split(" ")[1]) };
}

/** Every expected record is present once, `count()` agrees, and the index agrees with SQLite on each. */
async function verify(path: string, writers: number): Promise<void> {
  const client = new PersistentClient({ path });
  try {
    const col = await client.getCollection({ name: "shared", embeddingFunction: null });
    const all = await col.get({ include: ["embeddings"] });
    const expected = writers * PER_WRITER;
    expect(await col.count()).toBe(expected);
    expect(new Set(all.ids).size).toBe(expected);
    for (let w = 0; w < writers; w++) expect(all.ids).toContain(`w${w}-${PER_WRITER - 1}`);
    await expectIndexAgrees(col, all.ids, all.embeddings);
  } finally {
    await client.close();
  }
}

describe("several processes writing one database", () => {
  it(`${WRITERS} processes × ${PER_WRITER} adds with interleaved queries: no error, nothing lost, index consistent`, async () => {
    const single = temp.make();
    const one = await runWriters(single, 1, false);
    expect(one.errors).toEqual([]);

    const path = temp.make();
    const four = await runWriters(path, WRITERS, true);
    expect(four.errors).toEqual([]);
    expect(four.misses).toEqual([]);
    expect(four.checked).toBe((WRITERS * PER_WRITER) / BATCH);

    await verify(path, WRITERS);
    // A reopen loads the snapshot the writers left and replays the rest: still consistent.
    await verify(path, WRITERS);

    const rate = (n: number, ms: number) => Math.round((n / ms) * 1000);
    console.info(
      `[reliability] writes/s: 1 writer ${rate(PER_WRITER, one.elapsedMs)} (${Math.round(one.elapsedMs)} ms), ` +
        `${WRITERS} writers ${rate(WRITERS * PER_WRITER, four.elapsedMs)} (${Math.round(four.elapsedMs)} ms, with a checking reader); ` +
        `largest WAL ${(four.maxWal / 2 ** 20).toFixed(1)} MiB`,
    );
    // Readers in other processes can delay a checkpoint, never stop it for good: the WAL stays bounded.
    expect(four.maxWal).toBeLessThan(32 * 2 ** 20);
  }, 240_000);
});
