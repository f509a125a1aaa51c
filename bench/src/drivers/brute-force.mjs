/**
 * Exact search by brute force: vectors appended to one file (fsynced per batch) and scanned in full for every
 * query; filters are a predicate over in-memory metadata columns. Recall 1 by construction.
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import { rowNorms, scanCosine, TopK } from "../data/exact.mjs";
import { folderBytes, ioOf, ownPeakRss } from "../metrics/proc.mjs";

export const kind = "embedded";

/** Bytes of the vector file. */
export const indexBytes = (dir) => folderBytes(dir);

export async function open(ctx) {
  const { dim } = ctx.manifest;
  mkdirSync(ctx.dir, { recursive: true });
  const file = join(ctx.dir, "vectors.f32");
  let data = new Float32Array(1024 * dim);
  let count = 0;
  const append = (rows) => {
    if ((count + rows.length) * dim > data.length) {
      const grown = new Float32Array(Math.max(data.length * 2, (count + rows.length) * dim));
      grown.set(data.subarray(0, count * dim));
      data = grown;
    }
    for (const row of rows) data.set(row, count++ * dim);
  };
  if (!ctx.fresh && existsSync(file)) {
    const buf = readFileSync(file);
    const stored = new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
    append(Array.from({ length: stored.length / dim }, (_, i) => stored.subarray(i * dim, (i + 1) * dim)));
  }
  let norms = new Float64Array(0);
  const fd = openSync(file, ctx.fresh ? "w" : "a");
  const predicates = new Map();
  return {
    async ingest(batch) {
      append(batch.vectors);
      const packed = new Float32Array(batch.vectors.length * dim);
      for (const [i, v] of batch.vectors.entries()) packed.set(v, i * dim);
      writeSync(fd, Buffer.from(packed.buffer));
      fsyncSync(fd);
    },
    async persist() {},
    async query(vector, k, filter) {
      if (norms.length !== count) norms = rowNorms(data, dim, count);
      let accept;
      if (filter?.predicate) {
        accept = predicates.get(filter.name) ?? filter.predicate(ctx.columns);
        predicates.set(filter.name, accept);
      }
      const list = { top: new TopK(k), accept };
      scanCosine({ data, norms, dim, count }, vector, [list]);
      return list.top.labels;
    },
    dataPid: () => process.pid,
    peakRss: ownPeakRss,
    async close() {
      closeSync(fd);
      return ioOf();
    },
  };
}
