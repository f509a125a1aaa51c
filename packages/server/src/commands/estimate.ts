/** `cairn estimate --records <n> --dimension <d>`: disk, RAM and ingest time of a collection of that shape. */
import { estimate, invalidArgument } from "@cairndb/core";

/** Flags of `cairn estimate`. */
export interface EstimateFlags {
  records: string;
  dimension: string;
  metadataBytes: string;
  documentBytes: string;
  m: string;
  json?: boolean;
}

function count(value: string, flag: string, min: number): number {
  const n = Number(value.replaceAll("_", ""));
  if (!/^\d[\d_]*$/.test(value) || !Number.isSafeInteger(n) || n < min)
    throw invalidArgument(flag, `expected an integer ≥ ${min}, got "${value}"`);
  return n;
}

const size = (bytes: number): string =>
  bytes >= 2 ** 30 ? `${(bytes / 2 ** 30).toFixed(2)} GiB` : `${(bytes / 2 ** 20).toFixed(1)} MiB`;

function duration(seconds: number): string {
  if (seconds < 90) return `${seconds.toFixed(0)} s`;
  if (seconds < 5400) return `${(seconds / 60).toFixed(0)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

/** Prints the estimate as a small table (or JSON). */
export function estimateCommand(flags: EstimateFlags, out: NodeJS.WritableStream): number {
  const e = estimate({
    records: count(flags.records, "--records", 0),
    dimension: count(flags.dimension, "--dimension", 1),
    metadataBytes: count(flags.metadataBytes, "--metadata-bytes", 0),
    documentBytes: count(flags.documentBytes, "--document-bytes", 0),
    M: count(flags.m, "--m", 2),
  });
  if (flags.json) {
    out.write(`${JSON.stringify(e, null, 2)}\n`);
    return 0;
  }
  const { records, dimension, metadataBytes, documentBytes, M } = e.input;
  out.write(
    `${records.toLocaleString("en-US")} records × ${dimension} dimensions, ${metadataBytes} B metadata, ` +
      `${documentBytes} B document, M ${M}:\n` +
      `  disk     ${size(e.diskBytes)}  (SQLite ${size(e.sqliteBytes)}, HNSW snapshots 2 × ${size(e.indexFileBytes)})\n` +
      `  RAM      ${size(e.ramBytes)}  (peak of a process that ingests and queries)\n` +
      `  ingest   ${duration(e.ingestSeconds)}  (${Math.round(e.ingestRecordsPerSecond).toLocaleString("en-US")} records/s, one writer, batches of 1,000)\n` +
      "Measured on a 2-core machine; expect ±25% for disk and RAM. See docs/operations-transfer.md#sizing.\n",
  );
  return 0;
}
