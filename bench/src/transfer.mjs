/**
 * Export and import throughput and memory: imports a generated export stream of N records (never held whole),
 * exports the collection again to a counting sink, and prints records/s and the peak heap and RSS of each.
 *
 *   node bench/src/transfer.mjs --records 1000000 --dimension 4        # memory at 1M lines
 *   node bench/src/transfer.mjs --records 100000 --dimension 384       # throughput at 100k × 384
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { parseArgs } from "node:util";
import { exportCollection, importCollection, PersistentClient } from "@cairndb/core";
import { createRng } from "./data/rng.mjs";

const { values } = parseArgs({
  options: {
    records: { type: "string", default: "1000000" },
    dimension: { type: "string", default: "4" },
    embeddings: { type: "string", default: "base64" },
  },
});
const records = Number(values.records);
const dimension = Number(values.dimension);

const rssNow = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync("/proc/self/status", "utf8"))[1]) * 1024;

function sampler() {
  const start = { heap: process.memoryUsage().heapUsed, rss: rssNow() };
  const peak = { ...start };
  const sample = () => {
    peak.heap = Math.max(peak.heap, process.memoryUsage().heapUsed);
    peak.rss = Math.max(peak.rss, rssNow());
  };
  const timer = setInterval(sample, 50);
  return {
    sample,
    stop() {
      clearInterval(timer);
      sample();
      return {
        heapGrowth: peak.heap - start.heap,
        peakHeap: peak.heap,
        rssStart: start.rss,
        peakRss: peak.rss,
      };
    },
  };
}

/** The export file, generated in chunks of 1,000 lines. */
async function* generated() {
  const rng = createRng(11);
  yield `${JSON.stringify({
    cairn: "export",
    formatVersion: 1,
    cairnVersion: "0.1.0",
    exportedAt: new Date().toISOString(),
    embeddings: "base64",
    collection: {
      name: "transfer",
      metadata: null,
      configuration: { hnsw: { space: "cosine" }, embedding_function: null },
      dimension,
    },
    count: records,
  })}\n`;
  const v = new Float32Array(dimension);
  for (let start = 0; start < records; start += 1000) {
    let chunk = "";
    for (let i = start; i < Math.min(records, start + 1000); i++) {
      for (let j = 0; j < dimension; j++) v[j] = rng.gaussian();
      chunk += `${JSON.stringify({
        id: `rec-${i}`,
        document: `document ${i} about vectors`,
        uri: null,
        metadata: { category: `c${i % 10}`, year: 2000 + (i % 25) },
        embedding: Buffer.from(v.buffer).toString("base64"),
      })}\n`;
    }
    yield chunk;
  }
}

const mb = (b) => `${(b / 2 ** 20).toFixed(1)} MiB`;
const dir = mkdtempSync(join(tmpdir(), "cairn-transfer-bench-"));
const client = new PersistentClient({ path: dir });
try {
  const imp = sampler();
  const imported = await importCollection(client, generated(), { onProgress: imp.sample });
  const im = imp.stop();
  const collection = await client.getCollection({ name: "transfer" });
  let bytes = 0;
  const sink = new Writable({
    highWaterMark: 1 << 20,
    write(chunk, _enc, done) {
      bytes += chunk.length;
      setImmediate(done);
    },
  });
  const exp = sampler();
  const exported = await exportCollection(collection, sink, {
    embeddings: values.embeddings,
    onProgress: exp.sample,
  });
  await new Promise((resolve) => sink.end(resolve));
  const ex = exp.stop();
  const load = readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
  console.log(`${records} records × ${dimension} d (load average ${load})`);
  console.log(
    `import: ${imported.imported} records, ${mb(imported.bytes)} in ${imported.seconds.toFixed(1)} s = ${Math.round(imported.imported / imported.seconds)} records/s; heap +${mb(im.heapGrowth)} (peak ${mb(im.peakHeap)}), RSS ${mb(im.rssStart)} → peak ${mb(im.peakRss)}`,
  );
  console.log(
    `export: ${exported.records} records, ${mb(bytes)} in ${exported.seconds.toFixed(1)} s = ${Math.round(exported.records / exported.seconds)} records/s; heap +${mb(ex.heapGrowth)} (peak ${mb(ex.peakHeap)}), RSS ${mb(ex.rssStart)} → peak ${mb(ex.peakRss)}`,
  );
} finally {
  await client.close();
  rmSync(dir, { recursive: true, force: true });
}
