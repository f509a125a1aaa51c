/**
 * `cairn export --path <dir> --collection <name> --to <file|->`: streams one collection to JSON Lines. A file is
 * written under a temporary name and renamed when complete, so a failed export leaves no partial file.
 */
import { once } from "node:events";
import { createWriteStream, existsSync, renameSync, rmSync } from "node:fs";
import { exportCollection, invalidArgument, PersistentClient } from "@cairndb/core";
import { mib, progressBar } from "./progress";

/** Flags of `cairn export`. */
export interface ExportFlags {
  path: string;
  collection: string;
  to: string;
  embeddings: string;
  batchSize: string;
  tenant?: string;
  database?: string;
}

/** Parses a batch size flag (1-100000). */
export function batchSizeFlag(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > 100_000)
    throw invalidArgument("--batch-size", `expected an integer 1-100000, got "${value}"`);
  return n;
}

/** Runs the export; the summary goes to stdout, or to stderr when the data does (`--to -`). */
export async function exportCommand(
  flags: ExportFlags,
  stdout: NodeJS.WritableStream,
  stderr: NodeJS.WritableStream,
): Promise<number> {
  if (flags.embeddings !== "base64" && flags.embeddings !== "numbers")
    throw invalidArgument("--embeddings", `expected base64 or numbers, got "${flags.embeddings}"`);
  const batchSize = batchSizeFlag(flags.batchSize);
  if (!existsSync(flags.path))
    throw invalidArgument(
      "--path",
      `no database folder at ${flags.path}; give the folder the database lives in`,
    );
  const client = new PersistentClient({
    path: flags.path,
    ...(flags.tenant ? { tenant: flags.tenant } : {}),
    ...(flags.database ? { database: flags.database } : {}),
  });
  const toStdout = flags.to === "-";
  const temp = `${flags.to}.partial-${process.pid}`;
  const bar = progressBar(stderr, "export");
  try {
    const collection = await client.getCollection({ name: flags.collection });
    const sink = toStdout ? stdout : createWriteStream(temp, { flags: "wx" });
    if (!toStdout) await once(sink, "open");
    let result: Awaited<ReturnType<typeof exportCollection>>;
    try {
      result = await exportCollection(collection, sink, {
        embeddings: flags.embeddings,
        batchSize,
        onProgress: bar.update,
      });
      if (!toStdout) {
        const file = sink as ReturnType<typeof createWriteStream>;
        await new Promise<void>((resolve, reject) => {
          file.once("error", reject);
          file.end(() => file.close((error) => (error ? reject(error) : resolve())));
        });
        renameSync(temp, flags.to);
      }
    } catch (error) {
      if (!toStdout) {
        (sink as ReturnType<typeof createWriteStream>).destroy();
        rmSync(temp, { force: true });
      }
      throw error;
    } finally {
      bar.done();
    }
    const rate = result.seconds > 0 ? Math.round(result.records / result.seconds) : result.records;
    (toStdout ? stderr : stdout).write(
      `exported ${result.records.toLocaleString("en-US")} records of '${flags.collection}' to ${toStdout ? "stdout" : flags.to}: ` +
        `${mib(result.bytes)} in ${result.seconds.toFixed(2)} s (${rate.toLocaleString("en-US")} records/s)\n`,
    );
    return 0;
  } finally {
    await client.close();
  }
}
