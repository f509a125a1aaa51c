/**
 * Exact top-k ground truth for every query and filter, by cosine distance. Large sets are split over worker
 * threads (one per core): the data is shared through a SharedArrayBuffer, each worker takes a slice of queries.
 */
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { FILTERS } from "./filters.mjs";
import { rowNorms, scanCosine, TopK } from "./exact.mjs";

/**
 * Ground truth of queries [from, to) for every filter. Exported for the worker.
 * @returns {Record<string, { labels: number[], distances: number[] }[]>}
 */
export function truthSlice({ data, dim, n, queries, columns, k, from, to }) {
  const table = { data, norms: rowNorms(data, dim, n), dim, count: n };
  const out = Object.fromEntries(FILTERS.map((f) => [f.name, []]));
  for (let q = from; q < to; q++) {
    const lists = FILTERS.map((f) => ({ name: f.name, top: new TopK(k), accept: f.predicate?.(columns) }));
    scanCosine(table, queries.subarray(q * dim, (q + 1) * dim), lists);
    for (const list of lists) out[list.name].push(list.top.result());
  }
  return out;
}

function runWorker(input) {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL("./ground-truth-worker.mjs", import.meta.url), { workerData: input });
    worker.once("message", resolve);
    worker.once("error", reject);
    worker.once("exit", (code) => {
      if (code !== 0) reject(new Error(`ground-truth worker exited with ${code}`));
    });
  });
}

/**
 * @param {{ data: Float32Array, dim: number, n: number, queries: Float32Array, columns: object, k: number, threads?: number }} input
 */
export async function computeGroundTruth(input) {
  const count = input.queries.length / input.dim;
  // Below ~50M multiply-adds a thread costs more to start than it saves.
  const threads = input.n * count < 5e7 ? 1 : (input.threads ?? Math.max(1, availableParallelism()));
  if (threads === 1) return truthSlice({ ...input, from: 0, to: count });
  const shared = new Float32Array(new SharedArrayBuffer(input.data.byteLength));
  shared.set(input.data);
  const per = Math.ceil(count / threads);
  const slices = await Promise.all(
    Array.from({ length: threads }, (_, t) =>
      runWorker({ ...input, data: shared, from: t * per, to: Math.min(count, (t + 1) * per) }),
    ),
  );
  return Object.fromEntries(FILTERS.map((f) => [f.name, slices.flatMap((s) => s[f.name])]));
}
