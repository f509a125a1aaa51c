/**
 * Export and import stream: importing a 200,000-line file and exporting it again keep the JS heap within a
 * fixed bound (64 MiB above where it started), far below what holding the data would take (the file alone is
 * ~25 MB of text, ~100 MB as parsed objects). The 1M-line peak is measured by bench/src/transfer.mjs.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { exportCollection, importCollection, PersistentClient } from "@cairndb/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const LINES = 200_000;
const DIM = 4;
const BOUND = 64 * 1024 * 1024;

let path: string;
let client: PersistentClient;
beforeAll(() => {
  path = mkdtempSync(join(tmpdir(), "cairn-transfer-mem-"));
  client = new PersistentClient({ path });
});
afterAll(async () => {
  await client.close();
  rmSync(path, { recursive: true, force: true });
});

/** Samples the heap every 20 ms and on demand; `peak()` is the highest heapUsed seen. */
function heapSampler() {
  let peak = process.memoryUsage().heapUsed;
  const sample = () => {
    peak = Math.max(peak, process.memoryUsage().heapUsed);
  };
  const timer = setInterval(sample, 20);
  return {
    sample,
    stop: () => {
      clearInterval(timer);
      sample();
      return peak;
    },
  };
}

/** A generated export file, produced lazily in chunks of 1,000 lines (never held whole). */
async function* generatedFile(): AsyncGenerator<string> {
  yield `${JSON.stringify({
    cairn: "export",
    formatVersion: 1,
    cairnVersion: "0.1.0",
    exportedAt: "2026-12-01T00:00:00.000Z",
    embeddings: "numbers",
    collection: {
      name: "big",
      metadata: null,
      configuration: { hnsw: { space: "l2" }, embedding_function: null },
      dimension: DIM,
    },
    count: LINES,
  })}\n`;
  for (let start = 0; start < LINES; start += 1000) {
    let chunk = "";
    for (let i = start; i < start + 1000; i++) {
      chunk += `${JSON.stringify({
        id: `r${i}`,
        document: `record number ${i}`,
        uri: null,
        metadata: { n: i, tag: `t${i % 10}` },
        embedding: [i % 97, (i * 7) % 89, (i * 13) % 83, i % 2],
      })}\n`;
    }
    yield chunk;
  }
}

describe("memory stays bounded", () => {
  it(`imports ${LINES.toLocaleString("en-US")} lines, then exports them, within +64 MiB of heap`, async () => {
    const base = process.memoryUsage().heapUsed;
    const importing = heapSampler();
    const imported = await importCollection(client, generatedFile(), { onProgress: importing.sample });
    const importPeak = importing.stop() - base;
    expect(imported).toMatchObject({ records: LINES, imported: LINES });

    const collection = await client.getCollection({ name: "big" });
    expect(await collection.count()).toBe(LINES);
    let bytes = 0;
    let lines = 0;
    const sink = new Writable({
      highWaterMark: 1 << 20,
      write(chunk: Buffer, _enc, done) {
        bytes += chunk.length;
        for (const b of chunk) if (b === 10) lines++;
        // Asynchronous like a file: the exporter must wait for the sink to drain.
        setImmediate(done);
      },
    });
    const base2 = process.memoryUsage().heapUsed;
    const exporting = heapSampler();
    const exported = await exportCollection(collection, sink, { onProgress: exporting.sample });
    const exportPeak = exporting.stop() - base2;
    await new Promise<void>((resolve) => sink.end(resolve));
    expect(exported.records).toBe(LINES);
    expect(lines).toBe(LINES + 1);
    expect(exported.bytes).toBe(bytes);
    console.info(
      `transfer memory: import heap +${(importPeak / 2 ** 20).toFixed(1)} MiB, export heap +${(exportPeak / 2 ** 20).toFixed(1)} MiB (${LINES} lines, ${(bytes / 2 ** 20).toFixed(1)} MiB; import ${imported.seconds.toFixed(1)} s, export ${exported.seconds.toFixed(1)} s)`,
    );
    expect(importPeak).toBeLessThan(BOUND);
    expect(exportPeak).toBeLessThan(BOUND);
  }, 600_000);
});
