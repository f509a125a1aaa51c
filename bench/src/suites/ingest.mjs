/** Ingest suite: every batch through the driver, then `persist()`; throughput in records per second. */

/**
 * @param {object} handle driver handle
 * @param {Iterable<import("../data/batches.mjs").RecordBatch>} batches
 * @param {number} total records expected (for progress lines)
 */
export async function runIngest(handle, batches, total, log) {
  let records = 0;
  let nextReport = total / 10;
  const start = performance.now();
  for (const batch of batches) {
    await handle.ingest(batch);
    records += batch.ids.length;
    if (records >= nextReport && records < total) {
      const rate = records / ((performance.now() - start) / 1000);
      log(`ingest ${records}/${total} (${Math.round(rate)} rec/s)`);
      nextReport += total / 10;
    }
  }
  await handle.persist();
  const seconds = (performance.now() - start) / 1000;
  return { records, seconds, recordsPerSec: records / seconds };
}
