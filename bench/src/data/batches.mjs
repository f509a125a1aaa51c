/**
 * Record batches read from the dataset cache: ids, vectors, metadata and documents of consecutive records,
 * the unit every driver ingests (batches of 1,000 by default, like the issue asks).
 */
import { readRows, rowsOf } from "./dataset.mjs";
import { documentOf, idOf, metadataOf } from "./records.mjs";

/**
 * @typedef {{ labels: number[], ids: string[], vectors: Float32Array[], metadatas: object[], documents: string[] }} RecordBatch
 */

/**
 * Batches of records [first, first + count) where record i's vector is row (i - rowBase) of `file`.
 * @returns {Generator<RecordBatch>}
 */
export function* recordBatches({
  dataDir,
  manifest,
  columns,
  file = "data.f32",
  rowBase = 0,
  first = 0,
  count,
  size = 1000,
}) {
  for (let start = first; start < first + count; start += size) {
    const len = Math.min(size, first + count - start);
    const vectors = rowsOf(readRows(dataDir, file, manifest.dim, start - rowBase, len), manifest.dim);
    const labels = Array.from({ length: len }, (_, j) => start + j);
    yield {
      labels,
      ids: labels.map(idOf),
      vectors,
      metadatas: labels.map((i) => metadataOf(columns, i)),
      documents: labels.map((i) => documentOf(columns, i)),
    };
  }
}

/** The dataset's records, in ingest order. */
export const dataBatches = (ctx, size) => recordBatches({ ...ctx, count: ctx.manifest.n, size });

/** The extra records (labels n .. n + extra − 1) appended by the write-amplification suite. */
export const extraBatches = (ctx, count, size) =>
  recordBatches({ ...ctx, file: "extra.f32", rowBase: ctx.manifest.n, first: ctx.manifest.n, count, size });
