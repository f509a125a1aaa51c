/**
 * `cairn import --path <dir> --from <file|-> [--collection <name>] [--resume]`: imports a `cairn export` file,
 * creating the collection from its header. A failure names the line; `--resume` finishes the import.
 */
import { createReadStream, existsSync, statSync } from "node:fs";
import { importCollection, invalidArgument, PersistentClient } from "@cairndb/core";
import { batchSizeFlag } from "./export";
import { mib, progressBar } from "./progress";

/** Flags of `cairn import`. */
export interface ImportFlags {
  path: string;
  from: string;
  collection?: string;
  resume?: boolean;
  batchSize: string;
  allowConfigMismatch?: boolean;
  tenant?: string;
  database?: string;
}

/** Runs the import and prints the summary on stdout. */
export async function importCommand(
  flags: ImportFlags,
  stdin: NodeJS.ReadableStream,
  stdout: NodeJS.WritableStream,
  stderr: NodeJS.WritableStream,
): Promise<number> {
  const batchSize = batchSizeFlag(flags.batchSize);
  const fromStdin = flags.from === "-";
  if (!fromStdin && !(existsSync(flags.from) && statSync(flags.from).isFile()))
    throw invalidArgument(
      "--from",
      `no file at ${flags.from}; give a file written by cairn export, or - for stdin`,
    );
  const client = new PersistentClient({
    path: flags.path,
    ...(flags.tenant ? { tenant: flags.tenant } : {}),
    ...(flags.database ? { database: flags.database } : {}),
  });
  const bar = progressBar(stderr, "import");
  try {
    const input = fromStdin ? stdin : createReadStream(flags.from);
    const result = await importCollection(client, input as AsyncIterable<Uint8Array | string>, {
      ...(flags.collection ? { name: flags.collection } : {}),
      resume: flags.resume === true,
      batchSize,
      allowConfigMismatch: flags.allowConfigMismatch === true,
      source: fromStdin ? "stdin" : flags.from,
      onProgress: bar.update,
    }).finally(bar.done);
    const rate = result.seconds > 0 ? Math.round(result.records / result.seconds) : result.records;
    const skipped =
      result.skipped > 0 ? `, ${result.skipped.toLocaleString("en-US")} already present (skipped)` : "";
    stdout.write(
      `imported ${result.imported.toLocaleString("en-US")} records into '${result.collection}'` +
        `${result.created ? " (created)" : ""}${skipped}: ${mib(result.bytes)} in ${result.seconds.toFixed(2)} s ` +
        `(${rate.toLocaleString("en-US")} records/s)\n`,
    );
    if (result.records !== result.expected) {
      stderr.write(
        `cairn: warning: the file holds ${result.records.toLocaleString("en-US")} records; its header says the collection had ` +
          `${result.expected.toLocaleString("en-US")} when the export started (written to meanwhile, or the file is truncated)\n`,
      );
    }
    return 0;
  } finally {
    await client.close();
  }
}
