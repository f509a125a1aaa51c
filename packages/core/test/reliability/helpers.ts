/**
 * Shared helpers of the reliability suite: temp folders, child processes that report through a line journal
 * on stdout, and a dump of everything a database holds (to prove that a failed call wrote nothing).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { CairnClient, Collection, Logger } from "@cairndb/core";
import { expect } from "vitest";

/** Absolute path of a fixture script of this suite. */
export const fixture = (name: string): string =>
  fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

/** Temporary folders, removed by `cleanup()`. */
export class TempDirs {
  private readonly dirs: string[] = [];
  make(prefix = "cairn-rel-"): string {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    this.dirs.push(dir);
    return dir;
  }
  cleanup(): void {
    for (const dir of this.dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  }
}

/** A running child process and the lines it printed so far. */
export interface Child {
  proc: ChildProcess;
  lines: string[];
  /** Called for every complete line, in order. */
  onLine: (listener: (line: string) => void) => void;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr: () => string;
}

/** Spawns `node <script> ...args`, collecting stdout line by line. */
export function spawnChild(
  script: string,
  args: readonly string[],
  stdin: "pipe" | "ignore" = "ignore",
): Child {
  const proc = spawn(process.execPath, [script, ...args], { stdio: [stdin, "pipe", "pipe"] });
  const lines: string[] = [];
  const listeners: ((line: string) => void)[] = [];
  let buffer = "";
  let err = "";
  proc.stdout!.on("data", (chunk: Buffer) => {
    buffer += chunk.toString();
    const parts = buffer.split("\n");
    buffer = parts.pop()!;
    for (const line of parts) {
      lines.push(line);
      for (const listener of listeners) listener(line);
    }
  });
  proc.stderr!.on("data", (chunk: Buffer) => {
    err += chunk.toString();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.on("exit", (code, signal) => resolve({ code, signal })),
  );
  return { proc, lines, onLine: (l) => listeners.push(l), exited, stderr: () => err };
}

/** Resolves once `predicate` holds (polled every `everyMs`), or rejects after `timeoutMs`. */
export async function waitFor(predicate: () => boolean, timeoutMs = 30_000, everyMs = 2): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error("waitFor: timed out");
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** A logger that records warnings (and fails loudly on errors). */
export function recordingLogger(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  return {
    warnings,
    debug() {},
    info() {},
    error: (m) => warnings.push(`error: ${m}`),
    warn: (m) => warnings.push(m),
  };
}

/**
 * Everything a client's default database holds, as one comparable value: every collection (name, metadata,
 * configuration, dimension) with every record (id, document, uri, metadata, embedding) in insertion order.
 */
export async function dumpDatabase(client: CairnClient): Promise<unknown> {
  const collections = await client.listCollections({ limit: 10_000 });
  const out: unknown[] = [];
  for (const col of collections) {
    await col.refresh();
    const records = await col.get({ include: ["documents", "metadatas", "embeddings", "uris"] });
    out.push({
      name: col.name,
      id: col.id,
      metadata: col.metadata ?? null,
      configuration: col.configuration,
      dimension: col.dimension,
      count: await col.count(),
      ids: records.ids,
      documents: records.documents,
      metadatas: records.metadatas,
      uris: records.uris,
      embeddings: records.embeddings,
    });
  }
  return out;
}

/** The same deterministic vector as `fixtures/common.mjs` (children and parent must agree). */
export function vector(seed: number, dim: number): number[] {
  let a = (seed * 2654435761) >>> 0;
  const out: number[] = new Array(dim);
  for (let j = 0; j < dim; j++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[j] = ((t ^ (t >>> 14)) >>> 0) / 4294967296 - 0.5;
  }
  return out;
}

/**
 * The index agrees with SQLite about these records. Exact part: restricted to a few ids at a time, the index
 * answers by an exact scan over the vectors it holds, so each record must come back at distance 0 from its
 * own vector (a missing, stale or foreign vector fails this). Approximate part: unrestricted,
 * HNSW must find at least `minRecall` of them (graph search is approximate by design).
 */
export async function expectIndexAgrees(
  col: Collection,
  ids: readonly string[],
  vectors: readonly number[][],
  minRecall = 0.99,
): Promise<void> {
  const wrong: string[] = [];
  for (let i = 0; i < ids.length; i += 10) {
    const chunk = ids.slice(i, i + 10);
    const hits = await col.query({
      queryEmbeddings: vectors.slice(i, i + 10),
      ids: chunk,
      nResults: chunk.length,
      include: ["distances"],
    });
    hits.ids.forEach((got, j) => {
      // Equal vectors tie at distance 0, so look for the record among all hits, not only the first.
      const at = got.indexOf(chunk[j]!);
      if (at < 0 || !(hits.distances[j]![at]! < 1e-4))
        wrong.push(`${chunk[j]} → ${got[0]} at ${hits.distances[j]![0]}`);
    });
  }
  expect(wrong).toEqual([]);
  let found = 0;
  for (let i = 0; i < ids.length; i += 200) {
    const hits = await col.query({
      queryEmbeddings: vectors.slice(i, i + 200),
      nResults: 1,
      include: ["distances"],
    });
    hits.ids.forEach((got, j) => {
      if (got[0] === ids[i + j] || hits.distances[j]![0]! < 1e-6) found++; // or a record with an equal vector
    });
  }
  expect(found / Math.max(1, ids.length)).toBeGreaterThanOrEqual(minRecall);
}
