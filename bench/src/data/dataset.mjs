/**
 * The cached dataset: generated once per parameter set under <cache>/data/<key>/ and read back by every driver
 * process in batches (so no driver process holds the whole dataset in memory next to its index).
 *
 * Files: data.f32 (n rows), queries.f32, extra.f32 (rows appended by the write-amplification suite), metadata
 * columns (category.u8, year.u16, score.f64, flag.u8 over n + extra records), truth.json (exact top-k per
 * query and filter), manifest.json (written last: its presence marks a complete cache entry).
 */
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { computeGroundTruth } from "./ground-truth.mjs";
import { generateMixture } from "./mixture.mjs";
import { generateColumns } from "./records.mjs";

const FORMAT = 1;
const COLUMN_FILES = {
  category: ["category.u8", Uint8Array],
  year: ["year.u16", Uint16Array],
  score: ["score.f64", Float64Array],
  flag: ["flag.u8", Uint8Array],
};

/** Dataset parameters with defaults. */
export function datasetParams({
  n,
  queries = 1000,
  extra = 1000,
  dim = 384,
  clusters = 100,
  seed = 42,
  k = 10,
}) {
  return { n, queries, extra, dim, clusters, seed, k };
}

/** Cache key: every parameter that changes the files. */
export const datasetKey = (p) =>
  `n${p.n}-q${p.queries}-e${p.extra}-d${p.dim}-c${p.clusters}-s${p.seed}-k${p.k}-f${FORMAT}`;

const bytesOf = (typed) => Buffer.from(typed.buffer, typed.byteOffset, typed.byteLength);

/** Generates the dataset into `cacheRoot` unless a complete copy exists; returns its folder. */
export async function prepareDataset(params, cacheRoot, log = () => {}) {
  const dir = join(cacheRoot, "data", datasetKey(params));
  if (existsSync(join(dir, "manifest.json"))) {
    log(`dataset ${datasetKey(params)}: cached`);
    return dir;
  }
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  let t = performance.now();
  const mixture = generateMixture(params);
  const columns = generateColumns(params.n + params.extra, params.seed);
  log(`dataset: generated ${params.n} + ${params.queries} queries + ${params.extra} extra in ${ms(t)}`);
  writeFileSync(join(tmp, "data.f32"), bytesOf(mixture.data));
  writeFileSync(join(tmp, "queries.f32"), bytesOf(mixture.queries));
  writeFileSync(join(tmp, "extra.f32"), bytesOf(mixture.extra));
  for (const [name, [file]] of Object.entries(COLUMN_FILES))
    writeFileSync(join(tmp, file), bytesOf(columns[name]));
  t = performance.now();
  const truth = await computeGroundTruth({
    data: mixture.data,
    dim: params.dim,
    n: params.n,
    queries: mixture.queries,
    columns,
    k: params.k,
  });
  log(`dataset: exact top-${params.k} ground truth (3 filters) in ${ms(t)}`);
  writeFileSync(join(tmp, "truth.json"), JSON.stringify(truth));
  writeFileSync(
    join(tmp, "manifest.json"),
    JSON.stringify({ format: FORMAT, ...params, selectivity: selectivity(columns, params.n) }),
  );
  rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
  return dir;
}

const ms = (t) => `${((performance.now() - t) / 1000).toFixed(1)} s`;

function selectivity(columns, n) {
  let c3 = 0;
  let both = 0;
  for (let i = 0; i < n; i++) {
    if (columns.category[i] !== 3) continue;
    c3++;
    if (columns.year[i] === 2011) both++;
  }
  return { category: c3 / n, "category-year": both / n };
}

/** The manifest of a prepared dataset. */
export const readManifest = (dir) => JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8"));

/** The metadata columns (n + extra records). */
export function readColumns(dir) {
  const out = {};
  for (const [name, [file, Type]] of Object.entries(COLUMN_FILES)) {
    const buf = readFileSync(join(dir, file));
    out[name] = new Type(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
  }
  return out;
}

/** Rows [from, from + count) of a packed .f32 file as one Float32Array. */
export function readRows(dir, file, dim, from, count) {
  const out = new Float32Array(count * dim);
  const fd = openSync(join(dir, file), "r");
  try {
    const bytes = bytesOf(out);
    let done = 0;
    while (done < bytes.length) {
      const read = readSync(fd, bytes, done, bytes.length - done, from * dim * 4 + done);
      if (read === 0) throw new Error(`${file}: unexpected end of file`);
      done += read;
    }
  } finally {
    closeSync(fd);
  }
  return out;
}

/** Splits a packed buffer into row views. */
export const rowsOf = (packed, dim) =>
  Array.from({ length: packed.length / dim }, (_, i) => packed.subarray(i * dim, (i + 1) * dim));

/** The query vectors (first `limit`). */
export function readQueries(dir, manifest, limit = manifest.queries) {
  return rowsOf(
    readRows(dir, "queries.f32", manifest.dim, 0, Math.min(limit, manifest.queries)),
    manifest.dim,
  );
}

/** Ground truth: filter name → per query { labels, distances }. */
export const readTruth = (dir) => JSON.parse(readFileSync(join(dir, "truth.json"), "utf8"));
