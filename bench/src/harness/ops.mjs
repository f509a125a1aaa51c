/**
 * Operations on a persisted collection that must start in a NEW process: the first query after start, and
 * appending records (for bytes written). For embedded drivers they run in op-child.mjs, forked fresh; server
 * drivers start their server process inside open(), so they run here (see process-ops.mjs).
 */
import { extraBatches } from "../data/batches.mjs";
import { ioDelta, ioOf } from "../metrics/proc.mjs";

/** Opens the persisted collection and runs one query; `close()` is left to the caller (after timing). */
export async function openAndQuery(driver, ctx, query, k) {
  const handle = await driver.open({ ...ctx, fresh: false });
  const labels = await handle.query(query, k);
  return { labels, close: () => handle.close() };
}

/** Opens the persisted collection, appends `count` extra records, closes; bytes written by the data process. */
export async function appendRecords(driver, ctx, count) {
  const handle = await driver.open({ ...ctx, fresh: false });
  const before = ioOf(handle.dataPid());
  const start = performance.now();
  for (const batch of extraBatches(ctx, count, 1000)) await handle.ingest(batch);
  await handle.persist();
  const after = await handle.close();
  return { records: count, ms: performance.now() - start, io: ioDelta(before, after) };
}
