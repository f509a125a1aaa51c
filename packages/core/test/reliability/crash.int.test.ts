/**
 * Crash loop: N rounds of spawn → seeded add / upsert / delete mix → SIGKILL at a random moment (every other
 * round: the moment an index snapshot is being written) → reopen → compare with the child's journal. Every
 * acknowledged call is present with its final values, the one call in flight is entirely present or entirely
 * absent, `count()` agrees, and the index agrees with SQLite: each record is found by its exact vector, and a
 * deleted record's vector never surfaces a deleted (ghost) label.
 */
import { readdirSync } from "node:fs";
import { PersistentClient } from "@cairndb/core";
import { afterAll, describe, expect, it } from "vitest";
import { collectionIndexDir } from "../../src/engine/snapshots";
import { expectIndexAgrees, fixture, spawnChild, TempDirs, vector, waitFor } from "./helpers";

const ROUNDS = Number(process.env.CAIRN_CRASH_ROUNDS ?? 8);
const DIM = 32;
const temp = new TempDirs();
afterAll(() => temp.cleanup());

interface Op {
  kind: "upsert" | "add" | "delete" | "deleteWhere";
  v: number;
  ids?: string[];
  from?: number;
  to?: number;
}
/** id → the `v` of the call that last wrote it (vector, document and metadata all derive from it). */
type Model = Map<string, { v: number; k: number }>;

function apply(model: Model, op: Op): Model {
  const next = new Map(model);
  if (op.kind === "upsert" || op.kind === "add") {
    for (const [k, id] of op.ids!.entries()) next.set(id, { v: op.v, k });
  } else if (op.kind === "delete") for (const id of op.ids!) next.delete(id);
  else for (const [id, rec] of model) if (rec.v >= op.from! && rec.v < op.to!) next.delete(id);
  return next;
}

/** The database's content as a model (and a check that documents and vectors match their `v`). */
async function readBack(col: Awaited<ReturnType<PersistentClient["getCollection"]>>): Promise<Model> {
  const all = await col.get({ include: ["metadatas", "documents", "embeddings"] });
  const model: Model = new Map();
  all.ids.forEach((id, i) => {
    const v = all.metadatas[i]!.v as number;
    expect(all.documents[i]).toBe(`${id} at ${v}`);
    const k = findK(all.embeddings[i]!, v);
    expect(k, `vector of ${id}`).toBeGreaterThanOrEqual(0);
    model.set(id, { v, k });
  });
  return model;
}

/** Position k in its call whose vector is `embedding` (vectors are `vector(v * 1000 + k)`). */
function findK(embedding: number[], v: number): number {
  for (let k = 0; k < 64; k++) {
    if (vector(v * 1000 + k, DIM).every((x, j) => Math.fround(x) === embedding[j])) return k;
  }
  return -1;
}

const same = (a: Model, b: Model) =>
  a.size === b.size && [...a].every(([id, r]) => b.get(id)?.v === r.v && b.get(id)?.k === r.k);

/** The index agrees with SQLite: it holds each record's vector; a deleted record's vector finds a live record. */
async function checkIndex(
  col: Awaited<ReturnType<PersistentClient["getCollection"]>>,
  model: Model,
  deleted: number[][],
): Promise<void> {
  const entries = [...model];
  await expectIndexAgrees(
    col,
    entries.map(([id]) => id),
    entries.map(([, r]) => vector(r.v * 1000 + r.k, DIM)),
  );
  // A label the index still holds after its record was deleted would come back first and be dropped.
  if (deleted.length > 0 && model.size > 0) {
    const hits = await col.query({ queryEmbeddings: deleted.slice(-200), nResults: 1, include: [] });
    for (const ids of hits.ids) expect(ids).toHaveLength(1);
  }
}

describe("crash safety", () => {
  it(`survives ${ROUNDS} rounds of SIGKILL at random points, including during snapshot writes`, async () => {
    const path = temp.make();
    let model: Model = new Map();
    const deletedVectors: number[][] = [];
    let duringSnapshot = 0;
    let inFlightCommitted = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const child = spawnChild(fixture("crash-child.mjs"), [path, String(round), String(20261121 + round)]);
      await waitFor(() => child.lines.filter((l) => l === "ack").length >= 3, 30_000);
      if (round % 2 === 1) {
        // Kill the moment a snapshot is being written (a temp folder exists), or after ~1.5 s regardless.
        const probe = new PersistentClient({ path });
        const dir = collectionIndexDir(
          path,
          (await probe.getCollection({ name: "crash", embeddingFunction: null })).id,
        );
        await probe.close();
        const deadline = Date.now() + 1500;
        await waitFor(
          () => {
            try {
              return Date.now() > deadline || readdirSync(dir).some((n) => n.startsWith("tmp-"));
            } catch {
              return Date.now() > deadline;
            }
          },
          5000,
          0,
        );
      } else {
        await new Promise((r) => setTimeout(r, 50 + ((round * 97) % 400)));
      }
      child.proc.kill("SIGKILL");
      await child.exited;
      expect(child.lines.filter((l) => l.startsWith("error"))).toEqual([]);
      try {
        const dir = readdirSync(`${path}/index`).map((c) => readdirSync(`${path}/index/${c}`));
        if (dir.flat().some((n) => n.startsWith("tmp-"))) duringSnapshot++;
      } catch {
        // No index folder yet.
      }

      // Replay the journal: acknowledged calls in order, and the one in flight (if any) kept aside.
      let inFlight: Op | undefined;
      for (const line of child.lines) {
        if (line.startsWith("begin ")) inFlight = JSON.parse(line.slice(6)) as Op;
        else if (line === "ack" && inFlight) {
          for (const id of inFlight.kind === "delete" ? inFlight.ids! : []) {
            const rec = model.get(id);
            if (rec) deletedVectors.push(vector(rec.v * 1000 + rec.k, DIM));
          }
          model = apply(model, inFlight);
          inFlight = undefined;
        }
      }

      const client = new PersistentClient({ path });
      const col = await client.getCollection({ name: "crash", embeddingFunction: null });
      const actual = await readBack(col);
      const withInFlight = inFlight ? apply(model, inFlight) : model;
      const matches = same(actual, model) || same(actual, withInFlight);
      expect(matches, `round ${round}: database equals the acknowledged journal (± the call in flight)`).toBe(
        true,
      );
      if (!same(actual, model)) inFlightCommitted++;
      model = actual;
      expect(await col.count()).toBe(model.size);
      await checkIndex(col, model, deletedVectors);
      await client.close();
    }
    console.info(
      `[reliability] crash loop: ${ROUNDS} rounds survived, ${duringSnapshot} killed while a snapshot was being written, ` +
        `${inFlightCommitted} with the in-flight call committed, ${model.size} records at the end`,
    );
  }, 180_000);
});
