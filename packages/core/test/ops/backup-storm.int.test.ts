/**
 * Online backup under load: 4 writer processes upsert into one collection (each call: new records plus the
 * writer's "hot" record, rewritten every call) while this process takes two backups. Each backup, restored,
 * equals the source at the manifest's sequence: every batch acknowledged before the backup began is present
 * and exact; the records are exactly the source's records with a sequence number at or below the manifest's
 * (nothing written after it); each writer's batches form a prefix and its hot record carries the last of them
 * (one consistent cut); the restored index finds every record by its vector; `check` passes.
 */
import { join } from "node:path";
import { backup, check, PersistentClient, restore } from "@cairndb/core";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { type Child, expectIndexAgrees, spawnChild, TempDirs, vector, waitFor } from "../reliability/helpers";

const WRITERS = 4;
const BATCHES = 60;
const SIZE = 40;
const DIM = 16;
const temp = new TempDirs();
afterAll(() => temp.cleanup());

const fixture = (name: string) => new URL(`./fixtures/${name}`, import.meta.url).pathname;

interface Row {
  id: string;
  seq: number;
  document: string | null;
  metadata: string | null;
  embedding: Buffer;
}

/** Records of the source with a sequence number at or below `seq` (read straight from SQLite). */
function sourceRowsUpTo(path: string, seq: number): Map<string, Row> {
  const db = new Database(join(path, "cairn.sqlite3"), { readonly: true });
  try {
    const rows = db
      .prepare("SELECT id, seq, document, metadata, embedding FROM records WHERE seq <= ?")
      .all(seq) as Row[];
    return new Map(rows.map((r) => [r.id, r]));
  } finally {
    db.close();
  }
}

/** Verifies one restored backup against the source and what was acknowledged before it began. */
async function verifyRestored(
  source: string,
  restored: string,
  sequence: number,
  ackedBefore: readonly number[],
): Promise<void> {
  const client = new PersistentClient({ path: restored });
  try {
    const col = await client.getCollection({ name: "storm", embeddingFunction: null });
    const got = await col.get({ include: ["documents", "metadatas", "embeddings"] });
    const rows = sourceRowsUpTo(source, sequence);
    // Nothing after the sequence, nothing missing up to it: the non-hot records are exactly the source's
    // records at or below the manifest's sequence, with their exact values (a hot record's source row was
    // rewritten after the backup, so it is compared through its batch number below).
    const plain = got.ids.filter((id) => !id.endsWith("-hot"));
    const expected = [...rows.values()].filter((r) => !r.id.endsWith("-hot")).map((r) => r.id);
    expect(new Set(plain)).toEqual(new Set(expected));
    got.ids.forEach((id, i) => {
      if (id.endsWith("-hot")) return;
      const row = rows.get(id)!;
      expect(got.documents[i]).toBe(row.document);
      expect(got.metadatas[i]).toEqual(JSON.parse(row.metadata!));
      expect(Float32Array.from(got.embeddings[i]!)).toEqual(
        new Float32Array(row.embedding.buffer, row.embedding.byteOffset, DIM),
      );
    });
    for (let w = 0; w < WRITERS; w++) {
      const batches = new Set(
        got.metadatas
          .filter((m, i) => m!.writer === w && !got.ids[i]!.endsWith("-hot"))
          .map((m) => m!.batch as number),
      );
      const last = Math.max(-1, ...batches);
      // Every batch acknowledged before the backup began is in it; the batches form a prefix.
      expect(last).toBeGreaterThanOrEqual(ackedBefore[w]!);
      expect(batches.size).toBe(last + 1);
      for (let b = 0; b <= last; b++) {
        const ids = got.ids.filter((id) => id.startsWith(`w${w}-${b}-`));
        expect(ids.length, `writer ${w} batch ${b}`).toBe(SIZE);
      }
      // The hot record was written by the same call as the last batch: one consistent cut.
      const hot = got.ids.indexOf(`w${w}-hot`);
      expect(got.metadatas[hot]).toEqual({ writer: w, batch: last });
      expect(Float32Array.from(got.embeddings[hot]!)).toEqual(
        Float32Array.from(vector(w * 10_000_000 + 999_000 + last, DIM)),
      );
    }
    await expectIndexAgrees(
      col,
      got.ids,
      got.embeddings.map((e) => [...e]),
      0.95,
    );
  } finally {
    await client.close();
  }
  expect((await check({ path: restored })).problems).toEqual([]);
}

describe("backup during a 4-process write storm", () => {
  it("each restored backup equals the source at its sequence", { timeout: 240_000 }, async () => {
    const dir = temp.make("cairn-ops-");
    const source = join(dir, "db");
    const acked = Array.from({ length: WRITERS }, () => -1);
    const children: Child[] = [];
    for (let w = 0; w < WRITERS; w++) {
      const child = spawnChild(fixture("storm-writer.mjs"), [
        source,
        String(w),
        String(BATCHES),
        String(SIZE),
        String(DIM),
      ]);
      child.onLine((line) => {
        const [kind, writer, batch] = line.split(" ");
        if (kind === "ack") acked[Number(writer)] = Number(batch);
      });
      children.push(child);
    }
    const backups: { to: string; sequence: number; ackedBefore: number[] }[] = [];
    for (const [n, threshold] of [5, 30].entries()) {
      await waitFor(() => acked.every((b) => b >= threshold), 120_000);
      const ackedBefore = [...acked];
      const to = join(dir, `backup-${n}.cairn`);
      const { manifest } = await backup({ path: source, to });
      expect(manifest.collections.find((c) => c.name === "storm")!.count).toBeGreaterThan(0);
      backups.push({ to, sequence: manifest.sequence, ackedBefore });
    }
    const exits = await Promise.all(children.map((c) => c.exited));
    const errors = children.flatMap((c) => c.lines.filter((l) => l.startsWith("error")));
    expect(errors).toEqual([]);
    expect(exits.map((e) => e.code)).toEqual(children.map(() => 0));
    // The storm really wrote during both backups.
    expect(acked.every((b) => b === BATCHES - 1)).toBe(true);
    expect(backups[1]!.sequence).toBeGreaterThan(backups[0]!.sequence);
    for (const [n, b] of backups.entries()) {
      const restored = join(dir, `restored-${n}`);
      await restore({ from: b.to, path: restored });
      await verifyRestored(source, restored, b.sequence, b.ackedBefore);
    }
  });
});
