// Backup, restore and check throughput on one database: `node bench/src/backup.mjs [records] [dim] [folder]`
// (defaults 100,000 × 384). Builds the database in a temporary folder (vectors from a seeded generator, a short
// document and metadata per record) — or, given `folder`, measures that existing database (its "bench"
// collection) — then times backup(), restore() and check() and prints MiB/s and records/s. Building 100,000
// × 384 takes several minutes on a small machine (HNSW inserts); build once, then pass the folder. Run after
// `npm run build`; it removes its temporary folder at the end.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { backup, check, PersistentClient, restore } from "@cairndb/core";

const records = Number(process.argv[2] ?? 100_000);
const dim = Number(process.argv[3] ?? 384);
const dir = mkdtempSync(join(tmpdir(), "cairn-bench-backup-"));
let state = 42;
const random = () => {
  state = (state + 0x6d2b79f5) >>> 0;
  let t = Math.imul(state ^ (state >>> 15), state | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296 - 0.5;
};

try {
  const path = process.argv[4] ?? join(dir, "db");
  const client = new PersistentClient({ path });
  const col = await client.getOrCreateCollection({ name: "bench", embeddingFunction: null });
  const started = performance.now();
  for (let first = await col.count(); first < records; first += 5_000) {
    const n = Math.min(5_000, records - first);
    const ids = Array.from({ length: n }, (_, k) => `r${first + k}`);
    await col.add({
      ids,
      embeddings: ids.map(() => Array.from({ length: dim }, random)),
      documents: ids.map((id) => `document ${id} with a little text`),
      metadatas: ids.map((_, k) => ({ n: first + k, group: (first + k) % 10 })),
    });
  }
  await col.query({ queryEmbeddings: [Array.from({ length: dim }, random)], nResults: 1 });
  await client.close();
  console.log(`ingested ${records} × ${dim} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  const mb = (bytes) => bytes / 1024 / 1024;
  const time = async (fn) => {
    const t = performance.now();
    const result = await fn();
    return { result, s: (performance.now() - t) / 1000 };
  };
  const b = await time(() => backup({ path, to: join(dir, "b") }));
  const size = mb(b.result.bytes);
  console.log(
    `backup:  ${b.s.toFixed(2)} s, ${size.toFixed(1)} MiB (${b.result.manifest.indexSnapshots.length} snapshot(s)), ${(size / b.s).toFixed(0)} MiB/s, ${Math.round(records / b.s)} records/s`,
  );
  const r = await time(() => restore({ from: join(dir, "b"), path: join(dir, "r") }));
  console.log(
    `restore: ${r.s.toFixed(2)} s, ${(size / r.s).toFixed(0)} MiB/s, ${Math.round(records / r.s)} records/s`,
  );
  const c = await time(() => check({ path: join(dir, "r") }));
  console.log(
    `check:   ${c.s.toFixed(2)} s, healthy=${c.result.healthy}, ${Math.round(records / c.s)} records/s`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
