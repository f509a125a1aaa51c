/**
 * Raw hnswlib-node 3.0.0, as an application would use it: cosine space, M / efConstruction / ef given, one
 * index file written with writeIndexSync to make the ingest durable, filters as a JS callback over metadata
 * columns held in memory. No documents or metadata are stored: this is the floor Cairn is compared with.
 */
import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import hnswlib from "hnswlib-node";
import { folderBytes, ioOf, ownPeakRss } from "../metrics/proc.mjs";

export const kind = "embedded";

const INITIAL_CAPACITY = 1000;

/** Bytes of the index file. */
export const indexBytes = (dir) => folderBytes(dir);

/** ctx.params: { maxNeighbors, efConstruction, efSearch }. */
export async function open(ctx) {
  const { dim } = ctx.manifest;
  const { maxNeighbors = 16, efConstruction = 100, efSearch = 100 } = ctx.params ?? {};
  await mkdir(ctx.dir, { recursive: true });
  const file = join(ctx.dir, "index.hnsw");
  const index = new hnswlib.HierarchicalNSW("cosine", dim);
  if (!ctx.fresh && existsSync(file)) index.readIndexSync(file);
  else index.initIndex(INITIAL_CAPACITY, maxNeighbors, efConstruction, 100);
  index.setEf(efSearch);
  const predicates = new Map();
  let dirty = false;
  const persist = () => {
    if (dirty) index.writeIndexSync(file);
    dirty = false;
  };
  return {
    async ingest(batch) {
      const needed = index.getCurrentCount() + batch.labels.length;
      // Grow like Chroma's resize_factor 1.2; a rebuild is never needed.
      if (needed > index.getMaxElements())
        index.resizeIndex(Math.max(needed, Math.ceil(index.getMaxElements() * 1.2)));
      for (let i = 0; i < batch.labels.length; i++)
        index.addPoint(Array.from(batch.vectors[i]), batch.labels[i]);
      dirty = true;
    },
    async persist() {
      persist();
    },
    async query(vector, k, filter) {
      let accept;
      if (filter?.predicate) {
        accept = predicates.get(filter.name) ?? filter.predicate(ctx.columns);
        predicates.set(filter.name, accept);
      }
      return index.searchKnn(Array.from(vector), k, accept).neighbors;
    },
    async setEf(ef) {
      index.setEf(ef);
    },
    dataPid: () => process.pid,
    peakRss: ownPeakRss,
    async close() {
      persist();
      return ioOf();
    },
  };
}
