/**
 * The clustered Gaussian mixture of packages/testing/src/datasets.ts (`clusteredDataset`), ported so the bench
 * runs with plain node: 100 unit centres, a rank-12 anisotropic component with decaying scales, a small
 * isotropic residue, L2-normalised. Nearest-neighbour cosine ≈ 0.7 at 10k, random pairs ≈ 0.
 *
 * Points are drawn in one stream: the first `n` are the data, the next `queries` the held-out queries (so the
 * prefix is bit-identical to `clusteredDataset({ n, queries, dim, clusters, seed })`), then `extra` records
 * that the write-amplification suite appends to a persisted collection.
 */
import { createRng } from "./rng.mjs";

const RANK = 12;
const LOW_RANK_ENERGY = 0.6;
const ISOTROPIC_ENERGY = 0.6;

function randomUnit(rng, dim) {
  const v = new Float32Array(dim);
  let norm = 0;
  for (let i = 0; i < dim; i++) {
    const g = rng.gaussian();
    v[i] = g;
    norm += g * g;
  }
  const inv = 1 / Math.sqrt(norm);
  for (let i = 0; i < dim; i++) v[i] = v[i] * inv;
  return v;
}

function createMixture(rng, dim, clusters) {
  const centres = [];
  const bases = [];
  for (let c = 0; c < clusters; c++) {
    centres.push(randomUnit(rng, dim));
    const basis = [];
    for (let r = 0; r < RANK; r++) basis.push(randomUnit(rng, dim));
    bases.push(basis);
  }
  const scales = new Float64Array(RANK);
  let total = 0;
  for (let j = 0; j < RANK; j++) total += 1 / (j + 1) ** 2;
  for (let j = 0; j < RANK; j++) scales[j] = Math.sqrt(LOW_RANK_ENERGY / total) / (j + 1);
  return { centres, bases, scales };
}

function samplePoint(rng, mix, cluster, out) {
  const dim = out.length;
  const centre = mix.centres[cluster];
  const basis = mix.bases[cluster];
  const iso = Math.sqrt(ISOTROPIC_ENERGY / dim);
  for (let i = 0; i < dim; i++) out[i] = centre[i] + iso * rng.gaussian();
  for (let j = 0; j < RANK; j++) {
    const w = mix.scales[j] * rng.gaussian();
    const b = basis[j];
    for (let i = 0; i < dim; i++) out[i] = out[i] + w * b[i];
  }
  let norm = 0;
  for (let i = 0; i < dim; i++) norm += out[i] ** 2;
  const inv = 1 / Math.sqrt(norm);
  for (let i = 0; i < dim; i++) out[i] = out[i] * inv;
}

/**
 * Draws the mixture's points into packed buffers.
 * @param {{ n: number, queries: number, extra: number, dim: number, clusters: number, seed: number }} p
 * @returns {{ data: Float32Array, queries: Float32Array, extra: Float32Array, clusterOf: Int32Array }}
 *   `data` holds n rows, `queries` and `extra` theirs; row i of `data` is record i. `clusterOf` covers data
 *   then extra rows.
 */
export function generateMixture(p) {
  const rng = createRng(p.seed);
  const mix = createMixture(rng, p.dim, p.clusters);
  const data = new Float32Array(p.n * p.dim);
  const queries = new Float32Array(p.queries * p.dim);
  const extra = new Float32Array(p.extra * p.dim);
  const clusterOf = new Int32Array(p.n + p.extra);
  const total = p.n + p.queries + p.extra;
  for (let i = 0; i < total; i++) {
    const cluster = rng.int(p.clusters);
    if (i < p.n) {
      clusterOf[i] = cluster;
      samplePoint(rng, mix, cluster, data.subarray(i * p.dim, (i + 1) * p.dim));
    } else if (i < p.n + p.queries) {
      const q = i - p.n;
      samplePoint(rng, mix, cluster, queries.subarray(q * p.dim, (q + 1) * p.dim));
    } else {
      const e = i - p.n - p.queries;
      clusterOf[p.n + e] = cluster;
      samplePoint(rng, mix, cluster, extra.subarray(e * p.dim, (e + 1) * p.dim));
    }
  }
  return { data, queries, extra, clusterOf };
}
