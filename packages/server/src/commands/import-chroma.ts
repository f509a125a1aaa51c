/**
 * `cairn import-chroma --from <chroma dir> | --from-url <url> --path <dir>`: copies Chroma collections (records,
 * documents, metadata, embeddings, HNSW settings) into a Cairn database and prints what was imported and what
 * could not be mapped.
 */
import { type ImportChromaOptions, importChroma } from "@cairndb/core";

/** The command's flags (commander camel-cases `--from-url`). */
export interface ImportChromaFlags {
  from?: string;
  fromUrl?: string;
  path: string;
  collection?: string[];
  tenant: string;
  database: string;
  token?: string;
  batchSize: string;
}

/** Runs the import; writes one line per collection, the unmapped settings, and a summary with throughput. */
export async function importChromaCommand(
  flags: ImportChromaFlags,
  out: NodeJS.WritableStream = process.stdout,
  err: NodeJS.WritableStream = process.stderr,
): Promise<number> {
  if ((flags.from === undefined) === (flags.fromUrl === undefined)) {
    err.write("cairn import-chroma: give exactly one of --from <dir> or --from-url <url>\n");
    return 2;
  }
  const batchSize = Number(flags.batchSize);
  const options: ImportChromaOptions = {
    path: flags.path,
    tenant: flags.tenant,
    database: flags.database,
    batchSize,
    ...(flags.from !== undefined ? { from: flags.from } : { fromUrl: flags.fromUrl }),
    ...(flags.collection?.length ? { collections: flags.collection } : {}),
    ...(flags.token ? { headers: { "x-chroma-token": flags.token } } : {}),
  };
  const result = await importChroma(options);
  for (const c of result.collections) {
    out.write(
      `${c.name}: ${c.records} records, dimension ${c.dimension ?? "-"}, hnsw ${JSON.stringify(c.hnsw)}\n`,
    );
    for (const u of c.unmapped) out.write(`  not mapped: ${u}\n`);
  }
  const rate = result.seconds > 0 ? Math.round(result.records / result.seconds) : result.records;
  out.write(
    `imported ${result.collections.length} collection(s), ${result.records} records into ${flags.path} in ${result.seconds.toFixed(2)} s (${rate} records/s)\n`,
  );
  return 0;
}
