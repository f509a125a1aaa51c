/**
 * Concurrency: overlapping async calls in one process are linearisable; worker threads can open the same
 * folder; index snapshots are written by one process at a time and a process never loads a snapshot that is
 * half-written or that the database does not vouch for.
 */
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import {
  CairnError,
  type Collection,
  EphemeralClient,
  type EmbeddingFunction,
  PersistentClient,
} from "@cairndb/core";
import { afterAll, describe, expect, it } from "vitest";
import { Engine } from "../../src/engine";
import { type IndexFactory, tieredIndexFactory } from "../../src/engine/index-factory";
import { leaseIsStale, releaseLease, tryAcquireLease } from "../../src/engine/lease";
import { collectionIndexDir } from "../../src/engine/snapshots";
import { silentLogger } from "../../src/types";
import { fixture, recordingLogger, spawnChild, TempDirs, waitFor } from "./helpers";

const temp = new TempDirs();
afterAll(() => temp.cleanup());

/** An embedding function that takes a random few milliseconds, so overlapping calls interleave. */
class SlowEmbedding implements EmbeddingFunction {
  name = "slow-test";
  async generate(texts: string[]): Promise<number[][]> {
    await new Promise((r) => setTimeout(r, Math.random() * 6));
    return texts.map((t) => [t.length % 7, t.charCodeAt(0) % 11, t.charCodeAt(t.length - 1) % 13, 1]);
  }
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(key(item), [...(groups.get(key(item)) ?? []), item]);
  return groups;
}

interface Op {
  kind: "add" | "upsert" | "query";
  id: string;
  value: number;
  start: number;
  end?: number;
  ok?: boolean;
  code?: string;
  seen?: Set<string>;
}

/** Runs 100 overlapping adds, upserts and queries and checks them against linearisability's rules. */
async function overlappingCalls(col: Collection): Promise<void> {
  let clock = 0;
  const ops: Op[] = [];
  const run = (op: Op, call: () => Promise<unknown>) => {
    ops.push(op);
    return call().then(
      (result) => {
        op.end = ++clock;
        op.ok = true;
        if (op.kind === "query") op.seen = new Set((result as { ids: string[] }).ids);
      },
      (error: unknown) => {
        op.end = ++clock;
        op.ok = false;
        op.code = error instanceof CairnError ? error.code : `not a CairnError: ${String(error)}`;
      },
    );
  };
  const calls: Promise<void>[] = [];
  for (let i = 0; i < 100; i++) {
    const start = ++clock;
    if (i % 3 === 0) {
      // Two adds race for each `dup-*` id: exactly one must win.
      const id = `dup-${Math.floor(i / 6)}`;
      calls.push(
        run({ kind: "add", id, value: i, start }, () =>
          col.add({ ids: [id], documents: [`d${i}`], metadatas: [{ v: i }] }),
        ),
      );
    } else if (i % 3 === 1) {
      const id = `up-${i % 5}`;
      calls.push(
        run({ kind: "upsert", id, value: i, start }, () =>
          col.upsert({ ids: [id], documents: [`u${i}`], metadatas: [{ v: i }] }),
        ),
      );
    } else {
      calls.push(run({ kind: "query", id: "", value: i, start }, () => col.get({ include: [] })));
    }
  }
  await Promise.all(calls);
  expect(ops.filter((o) => o.code && o.code !== "DUPLICATE_ID")).toEqual([]);
  const adds = groupBy(
    ops.filter((o) => o.kind === "add"),
    (o) => o.id,
  );
  for (const [, racers] of adds) {
    expect(racers.filter((o) => o.ok)).toHaveLength(1);
    expect(racers.filter((o) => !o.ok).every((o) => o.code === "DUPLICATE_ID")).toBe(true);
  }
  // Real-time order: a write that finished before a read started is visible to that read.
  const writes = ops.filter((o) => o.kind !== "query" && o.ok);
  for (const q of ops.filter((o) => o.kind === "query")) {
    for (const w of writes)
      if (w.end! < q.start) expect(q.seen!.has(w.id), `${w.kind} ${w.id} before read`).toBe(true);
  }
  // The final value of each upserted id is that of an upsert no other upsert of the id followed in real time.
  const final = await col.get({ include: ["metadatas"] });
  for (const [id, ups] of groupBy(
    ops.filter((o) => o.kind === "upsert"),
    (o) => o.id,
  )) {
    const value = final.metadatas[final.ids.indexOf(id)]!.v as number;
    const winner = ups.find((o) => o.value === value)!;
    expect(ups.some((o) => o.start > winner.end!)).toBe(false);
  }
  expect(await col.count()).toBe(adds.size + 5);
}

describe("overlapping async calls in one process", () => {
  it("Promise.all of 100 adds, upserts and reads: duplicate adds have one winner; real-time order holds", async () => {
    for (const client of [new EphemeralClient(), new PersistentClient({ path: temp.make() })]) {
      for (let round = 0; round < 3; round++) {
        const col = await client.createCollection({
          name: `race-${round}`,
          embeddingFunction: new SlowEmbedding(),
        });
        await overlappingCalls(col);
      }
      await client.close();
    }
  });
});

describe("worker threads", () => {
  it("4 threads open the same folder and write concurrently; everything is there afterwards", async () => {
    const path = temp.make();
    const reports = await Promise.all(
      [0, 1, 2, 3].map(
        (thread) =>
          new Promise<{ errors: string[]; misses: number }>((resolve, reject) => {
            const worker = new Worker(fixture("thread.mjs"), {
              workerData: { path, thread, count: 1000, batch: 50, dim: 8 },
            });
            worker.once("message", resolve);
            worker.once("error", reject);
          }),
      ),
    );
    expect(reports.flatMap((r) => r.errors)).toEqual([]);
    expect(reports.map((r) => r.misses)).toEqual([0, 0, 0, 0]);
    const client = new PersistentClient({ path });
    const col = await client.getCollection({ name: "threads", embeddingFunction: null });
    expect(await col.count()).toBe(4000);
    const all = await col.get({ include: ["embeddings"] });
    const hits = await col.query({
      queryEmbeddings: all.embeddings.filter((_, i) => i % 40 === 0),
      nResults: 1,
      include: [],
    });
    expect(hits.ids.map((ids) => ids[0])).toEqual(all.ids.filter((_, i) => i % 40 === 0));
    await client.close();
  });
});

describe("index snapshots with several processes", () => {
  it("a lease admits one snapshot writer at a time; expired and dead owners are taken over", async () => {
    const path = temp.make();
    const open = () => new Engine({ path, logger: silentLogger, busyTimeoutMs: 5000, durability: "normal" });
    const a = open();
    const b = open();
    type Ctx = { tx: Parameters<typeof tryAcquireLease>[0]; db: Parameters<typeof tryAcquireLease>[1] };
    const ctxOf = (e: Engine) => (e as unknown as { ctx: Ctx }).ctx;
    const take = (e: Engine, ttlMs?: number) =>
      tryAcquireLease(ctxOf(e).tx, ctxOf(e).db, "snapshot:x", ttlMs);
    expect(take(a)).toBe(true);
    expect(take(b)).toBe(false);
    expect(take(a)).toBe(true); // renewal by the holder
    releaseLease(ctxOf(a).tx, ctxOf(a).db, "snapshot:x");
    expect(take(b, 1)).toBe(true);
    await new Promise((r) => setTimeout(r, 5));
    expect(take(a)).toBe(true); // b's lease expired
    a.close();
    b.close();
    // A holder whose process died is stale at once.
    const dead = spawnChild(fixture("common.mjs"), []);
    await dead.exited;
    const host = (await import("node:os")).hostname();
    expect(
      leaseIsStale({ owner: "x", pid: dead.proc.pid!, host, expiresAt: Date.now() + 60_000 }, Date.now()),
    ).toBe(true);
    expect(
      leaseIsStale({ owner: "x", pid: process.pid, host, expiresAt: Date.now() + 60_000 }, Date.now()),
    ).toBe(false);
  });

  it("only snapshots the database registered are loaded: half-written and foreign folders never reach the loader", async () => {
    const path = temp.make();
    const client = new PersistentClient({ path });
    const col = await client.createCollection({
      name: "snaps",
      embeddingFunction: null,
      configuration: { hnsw: { sync_threshold: 100 } },
    });
    const ids = Array.from({ length: 400 }, (_, i) => `r${i}`);
    for (let b = 0; b < 4; b++) {
      const batch = ids.slice(b * 100, b * 100 + 100);
      await col.add({
        ids: batch,
        embeddings: batch.map((_, i) => [Math.sin(b * 100 + i), Math.cos(b * 100 + i), (b * 100 + i) / 400]),
      });
    }
    await client.close();
    const dir = collectionIndexDir(path, col.id);
    const registered = readdirSync(dir).filter((n) => n.startsWith("snap-"));
    expect(registered.length).toBeGreaterThan(0);
    // A crashed writer's temp folder and a "newer" unregistered folder with a truncated file.
    mkdirSync(join(dir, "tmp-snap-999999999999-dead"));
    mkdirSync(join(dir, "snap-999999999999-beef"));
    writeFileSync(join(dir, "snap-999999999999-beef", "hnsw.json"), "{");
    const loaded: string[] = [];
    const spy: IndexFactory = {
      create: tieredIndexFactory.create,
      load: (d, p) => {
        loaded.push(d);
        return tieredIndexFactory.load(d, p);
      },
    };
    const logger = recordingLogger();
    const engine = new Engine({ path, logger, busyTimeoutMs: 5000, durability: "normal", indexFactory: spy });
    const hits = engine.queryRecords(col.id, {
      vectors: [new Float32Array([Math.sin(7), Math.cos(7), 7 / 400])],
      k: 1,
      selection: {},
      include: [],
    });
    expect(hits.ids[0]![0]).toBe("r7");
    expect(loaded).toHaveLength(1);
    expect(registered.map((n) => join(dir, n))).toContain(loaded[0]);
    expect(logger.warnings).toEqual([]);
    engine.close();
  });

  it("processes snapshotting while others open the database: never a failed load, never two writers at once", async () => {
    const path = temp.make();
    const setup = new PersistentClient({ path });
    await setup.createCollection({
      name: "shared",
      embeddingFunction: null,
      configuration: { hnsw: { space: "l2", sync_threshold: 200 } },
    });
    const id = (await setup.getCollection({ name: "shared", embeddingFunction: null })).id;
    await setup.close();
    const dir = collectionIndexDir(path, id);
    const writers = [0, 1].map((w) =>
      spawnChild(fixture("writer.mjs"), [path, String(w), "3000", "100", "16"]),
    );
    let done = false;
    void Promise.all(writers.map((w) => w.exited)).then(() => {
      done = true;
    });
    let maxTmp = 0;
    let opens = 0;
    const logger = recordingLogger();
    while (!done) {
      try {
        maxTmp = Math.max(maxTmp, readdirSync(dir).filter((n) => n.startsWith("tmp-")).length);
      } catch {
        // Not created yet.
      }
      if (opens < 40) {
        const client = new PersistentClient({ path, logger });
        const col = await client.getCollection({ name: "shared", embeddingFunction: null });
        await col.query({ queryEmbeddings: [[...Array(16)].map(() => 0)], nResults: 3 });
        await client.close();
        opens++;
      }
      await new Promise((r) => setTimeout(r, 1));
    }
    await waitFor(() => done);
    expect(
      writers.flatMap((w) => w.lines.filter((l) => l.startsWith("error") || l.startsWith("miss"))),
    ).toEqual([]);
    expect(logger.warnings).toEqual([]);
    expect(maxTmp).toBeLessThanOrEqual(1);
    expect(opens).toBeGreaterThan(3);
  }, 120_000);
});
