/**
 * Builds a real database of a given shape and prints what it took (ingest time, peak RSS, disk: SQLite and
 * HNSW snapshot files) next to what `estimate()` predicts, with the error of each.
 *
 *   node bench/src/sizing.mjs --records 100000 --dimension 384 --metadata-bytes 65 --document-bytes 60
 *   node bench/src/sizing.mjs ... --json        # one JSON object (for calibration scripts)
 *
 * Vectors are seeded Gaussian (L2-normalised), the metadata has ~20 JSON bytes per key (strings and numbers),
 * the documents are ASCII words. Batches of 1,000, cosine space, defaults otherwise — like `pnpm bench`.
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { estimate, PersistentClient } from "@cairndb/core";
import { createRng } from "./data/rng.mjs";

const { values } = parseArgs({
  options: {
    records: { type: "string", default: "100000" },
    dimension: { type: "string", default: "384" },
    "metadata-bytes": { type: "string", default: "65" },
    "document-bytes": { type: "string", default: "60" },
    keep: { type: "string" },
    json: { type: "boolean", default: false },
  },
});
const records = Number(values.records);
const dimension = Number(values.dimension);
const metadataBytes = Number(values["metadata-bytes"]);
const documentBytes = Number(values["document-bytes"]);

const WORDS = "vector index record query filter cairn sqlite graph embedding neighbour distance".split(" ");

/** Metadata of about `bytes` JSON bytes: keys k0, k1, … with string and number values, ~20 bytes each. */
function metadataOf(i, rng) {
  if (metadataBytes <= 0) return null;
  const out = {};
  let size = 2;
  for (let k = 0; size < metadataBytes; k++) {
    const key = `k${k}`;
    const room = Math.max(1, Math.min(14, metadataBytes - size - key.length - 6));
    const value = k % 2 === 0 ? "abcdefghijklmnopqrstuvwxyz".slice(0, room) + (i % 10) : rng.int(10 ** 6);
    out[key] = value;
    size = JSON.stringify(out).length;
  }
  return out;
}

function documentOf(i, rng) {
  if (documentBytes <= 0) return null;
  let text = `doc ${i}`;
  while (text.length < documentBytes) text += ` ${WORDS[rng.int(WORDS.length)]}`;
  return text.slice(0, documentBytes);
}

function vectorOf(rng) {
  const v = new Float32Array(dimension);
  let norm = 0;
  for (let j = 0; j < dimension; j++) {
    v[j] = rng.gaussian();
    norm += v[j] * v[j];
  }
  norm = Math.sqrt(norm);
  for (let j = 0; j < dimension; j++) v[j] /= norm;
  return v;
}

function filesBytes(dir, test) {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const full = join(entry.parentPath ?? entry.path, entry.name);
    if (test(full)) total += statSync(full).size;
  }
  return total;
}

const peakRss = () => Number(/VmHWM:\s+(\d+)/.exec(readFileSync("/proc/self/status", "utf8"))[1]) * 1024;

const dir = values.keep ?? mkdtempSync(join(tmpdir(), "cairn-sizing-"));
const rng = createRng(7);
const client = new PersistentClient({ path: dir });
const collection = await client.createCollection({
  name: "sizing",
  embeddingFunction: null,
  configuration: { hnsw: { space: "cosine" } },
});
const started = performance.now();
let sampleMeta = 0;
let sampleDoc = 0;
for (let start = 0; start < records; start += 1000) {
  const n = Math.min(1000, records - start);
  const ids = Array.from({ length: n }, (_, k) => `rec-${start + k}`);
  const metadatas = ids.map((_, k) => metadataOf(start + k, rng));
  const documents = ids.map((_, k) => documentOf(start + k, rng));
  if (start === 0) {
    sampleMeta = metadatas[0] ? JSON.stringify(metadatas[0]).length : 0;
    sampleDoc = documents[0]?.length ?? 0;
  }
  await collection.add({ ids, embeddings: ids.map(() => vectorOf(rng)), metadatas, documents });
}
const ingestSeconds = (performance.now() - started) / 1000;
const rss = peakRss();
await client.close();
const sqliteBytes = filesBytes(dir, (f) => /\.sqlite3?(-wal|-shm)?$|\.db(-wal|-shm)?$/.test(f));
const totalBytes = filesBytes(dir, () => true);
const predicted = estimate({ records, dimension, metadataBytes: sampleMeta, documentBytes: sampleDoc });
const measured = {
  ingestSeconds,
  peakRssBytes: rss,
  sqliteBytes,
  indexBytes: totalBytes - sqliteBytes,
  diskBytes: totalBytes,
};
const error = (p, m) => `${(((p - m) / m) * 100).toFixed(1)}%`;
const report = {
  shape: { records, dimension, metadataBytes: sampleMeta, documentBytes: sampleDoc },
  measured,
  predicted,
  errors: {
    disk: error(predicted.diskBytes, measured.diskBytes),
    sqlite: error(predicted.sqliteBytes, measured.sqliteBytes),
    index: error(predicted.indexFilesBytes, measured.indexBytes),
    ram: error(predicted.ramBytes, measured.peakRssBytes),
    ingest: error(predicted.ingestSeconds, measured.ingestSeconds),
  },
  loadAverage: readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" "),
};
if (!values.keep) rmSync(dir, { recursive: true, force: true });
if (values.json) console.log(JSON.stringify(report));
else {
  const mb = (b) => `${(b / 2 ** 20).toFixed(1)} MiB`;
  console.log(
    `${records} × ${dimension}d, metadata ${sampleMeta} B, document ${sampleDoc} B (load ${report.loadAverage})`,
  );
  console.log(
    `disk    measured ${mb(measured.diskBytes)}  estimated ${mb(predicted.diskBytes)}  (${report.errors.disk})`,
  );
  console.log(
    `  sqlite measured ${mb(measured.sqliteBytes)}  estimated ${mb(predicted.sqliteBytes)}  (${report.errors.sqlite})`,
  );
  console.log(
    `  index  measured ${mb(measured.indexBytes)}  estimated ${mb(predicted.indexFilesBytes)}  (${report.errors.index})`,
  );
  console.log(
    `RAM     measured ${mb(measured.peakRssBytes)}  estimated ${mb(predicted.ramBytes)}  (${report.errors.ram})`,
  );
  console.log(
    `ingest  measured ${ingestSeconds.toFixed(1)} s  estimated ${predicted.ingestSeconds.toFixed(1)} s  (${report.errors.ingest})`,
  );
}
