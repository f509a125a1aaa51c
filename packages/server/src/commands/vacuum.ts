/** `cairn vacuum --path <dir>`: checkpoint and compact the database, prune tombstones, rebuild bloated indexes. */
import { vacuum } from "@cairndb/core";
import { createStreamLogger } from "./stderr-logger";

const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(2)} MiB`;

/** Runs the vacuum and prints what it reclaimed. */
export async function vacuumCommand(
  values: { path: string },
  out: NodeJS.WritableStream = process.stdout,
): Promise<number> {
  const result = await vacuum({ path: values.path, logger: createStreamLogger(process.stderr) });
  out.write(
    `vacuumed ${values.path}: ${mib(result.bytesBefore)} → ${mib(result.bytesAfter)}, ` +
      `${result.indexesRebuilt} index(es) rebuilt, tombstones ${result.tombstonesBefore} → ${result.tombstonesAfter}\n`,
  );
  return 0;
}
