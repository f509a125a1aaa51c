/** `cairn restore --from <backup> --path <dir> [--force]`: restores a verified backup into a database folder. */
import { restore } from "@cairndb/core";

/** Flags of `cairn restore`. */
export interface RestoreFlags {
  from: string;
  path: string;
  force: boolean;
  json?: boolean;
}

/** Runs the restore and prints what it restored. */
export async function restoreCommand(
  flags: RestoreFlags,
  out: NodeJS.WritableStream = process.stdout,
): Promise<number> {
  const result = await restore({ from: flags.from, path: flags.path, force: flags.force });
  const { manifest } = result;
  if (flags.json) {
    out.write(
      `${JSON.stringify({ path: result.path, replaced: result.replaced, bytes: result.bytes, manifest })}\n`,
    );
    return 0;
  }
  const records = manifest.collections.reduce((sum, c) => sum + c.count, 0);
  out.write(
    `restored ${flags.from} into ${result.path}${result.replaced ? " (replaced the database there)" : ""}: ` +
      `sequence ${manifest.sequence}, ${manifest.collections.length} collection(s), ${records} record(s), ` +
      `backed up ${manifest.createdAt} by Cairn ${manifest.cairnVersion}; checksums verified\n`,
  );
  return 0;
}
