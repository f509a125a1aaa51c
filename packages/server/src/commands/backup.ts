/** `cairn backup --path <dir> --to <backup>`: an online backup of a database folder (see `backup` in core). */
import { backup } from "@cairndb/core";
import { createStreamLogger } from "./stderr-logger";

const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(2)} MiB`;

/** Flags of `cairn backup`. */
export interface BackupFlags {
  path: string;
  to: string;
  /** `--no-index` sets it to false. */
  index: boolean;
  json?: boolean;
}

/** Runs the backup and prints what it wrote (or the manifest as JSON with `--json`). */
export async function backupCommand(
  flags: BackupFlags,
  out: NodeJS.WritableStream = process.stdout,
  err: NodeJS.WritableStream = process.stderr,
): Promise<number> {
  const result = await backup({
    path: flags.path,
    to: flags.to,
    includeIndex: flags.index,
    logger: createStreamLogger(err),
  });
  if (flags.json) {
    out.write(`${JSON.stringify({ to: result.to, bytes: result.bytes, manifest: result.manifest })}\n`);
    return 0;
  }
  const { manifest } = result;
  const records = manifest.collections.reduce((sum, c) => sum + c.count, 0);
  out.write(
    `backed up ${flags.path} to ${result.to} at sequence ${manifest.sequence}: ` +
      `${manifest.collections.length} collection(s), ${records} record(s), ` +
      `${manifest.indexSnapshots.length} index snapshot(s), ${mib(result.bytes)} in ${(result.elapsedMs / 1000).toFixed(1)} s\n`,
  );
  return 0;
}
