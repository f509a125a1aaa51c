/**
 * Seeded, deterministic vector datasets for index tests and benchmarks, plus an exact top-k oracle.
 *
 * The oracle here is deliberately independent of `@cairndb/core`'s own kernels so that it can serve as the
 * ground truth for them (a bug shared by the oracle and the code under test would hide itself).
 */

/** A seeded pseudo-random generator (sfc32, seeded through splitmix32). Same seed → same sequence. */
export interface Rng {
  /** Uniform float in [0, 1). */
  next(): number;
  /** Standard normal sample (Box–Muller). */
  gaussian(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
}

/** Creates a seeded PRNG; the sequence depends only on `seed` (any finite number). */
export function createRng(seed: number): Rng {
  let s = Math.trunc(seed) >>> 0;
  const splitmix = (): number => {
    s = (s + 0x9e3779b9) | 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = splitmix();
  let b = splitmix();
  let c = splitmix();
  let d = splitmix();
  const next = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  // Box–Muller yields two samples per draw; keep the spare so the stream stays cheap and deterministic.
  let spare: number | undefined;
  const gaussian = (): number => {
    if (spare !== undefined) {
      const v = spare;
      spare = undefined;
      return v;
    }
    const u = 1 - next();
    const r = Math.sqrt(-2 * Math.log(u));
    const theta = 2 * Math.PI * next();
    spare = r * Math.sin(theta);
    return r * Math.cos(theta);
  };
  return { next, gaussian, int: (n: number) => Math.floor(next() * n) };
}

/** Options of {@link clusteredDataset}. */
export interface ClusteredDatasetOptions {
  /** Number of data vectors. */
  n: number;
  /** Dimension (default 384, like all-MiniLM-L6-v2). */
  dim?: number;
  /** Number of Gaussian clusters (default 100). */
  clusters?: number;
  /** Number of query vectors drawn from the same mixture (default 100). */
  queries?: number;
  /** PRNG seed (default 42). */
  seed?: number;
}

/** A generated dataset. Vectors are views into one packed buffer; treat them as read-only. */
export interface ClusteredDataset {
  dim: number;
  /** `n` L2-normalised data vectors; the label of `vectors[i]` is `i` by convention. */
  vectors: Float32Array[];
  /** Query vectors (not part of `vectors`). */
  queries: Float32Array[];
  /** Cluster index of each data vector. */
  clusterOf: Int32Array;
}

// Mixture shape, tuned so that a query's nearest neighbour has cosine ≈ 0.7 at ~100 points per cluster
// (n = 10k, 100 clusters: measured 0.71) and unrelated pairs ≈ 0, like sentence embeddings: a unit cluster
// centre, a low-rank anisotropic component (decaying scales: the "topics" inside a cluster) and an
// isotropic residue. core/test/index/datasets.test.ts checks these properties.
const RANK = 12;
const LOW_RANK_ENERGY = 0.6;
const ISOTROPIC_ENERGY = 0.6;

interface Mixture {
  centres: Float32Array[];
  bases: Float32Array[][];
  scales: Float64Array;
}

function randomUnit(rng: Rng, dim: number): Float32Array {
  const v = new Float32Array(dim);
  let norm = 0;
  for (let i = 0; i < dim; i++) {
    const g = rng.gaussian();
    v[i] = g;
    norm += g * g;
  }
  const inv = 1 / Math.sqrt(norm);
  for (let i = 0; i < dim; i++) v[i] = (v[i] as number) * inv;
  return v;
}

function createMixture(rng: Rng, dim: number, clusters: number): Mixture {
  const centres: Float32Array[] = [];
  const bases: Float32Array[][] = [];
  for (let c = 0; c < clusters; c++) {
    centres.push(randomUnit(rng, dim));
    const basis: Float32Array[] = [];
    for (let r = 0; r < RANK; r++) basis.push(randomUnit(rng, dim));
    bases.push(basis);
  }
  // Scales decay like 1/(j+1) and are normalised so the component's expected energy is LOW_RANK_ENERGY.
  const scales = new Float64Array(RANK);
  let total = 0;
  for (let j = 0; j < RANK; j++) total += 1 / (j + 1) ** 2;
  for (let j = 0; j < RANK; j++) scales[j] = Math.sqrt(LOW_RANK_ENERGY / total) / (j + 1);
  return { centres, bases, scales };
}

function samplePoint(rng: Rng, mix: Mixture, cluster: number, out: Float32Array): void {
  const dim = out.length;
  const centre = mix.centres[cluster]!;
  const basis = mix.bases[cluster]!;
  const iso = Math.sqrt(ISOTROPIC_ENERGY / dim);
  for (let i = 0; i < dim; i++) out[i] = (centre[i] as number) + iso * rng.gaussian();
  for (let j = 0; j < RANK; j++) {
    const w = (mix.scales[j] as number) * rng.gaussian();
    const b = basis[j]!;
    for (let i = 0; i < dim; i++) out[i] = (out[i] as number) + w * (b[i] as number);
  }
  let norm = 0;
  for (let i = 0; i < dim; i++) norm += (out[i] as number) ** 2;
  const inv = 1 / Math.sqrt(norm);
  for (let i = 0; i < dim; i++) out[i] = (out[i] as number) * inv;
}

/**
 * Generates a deterministic Gaussian-mixture dataset shaped like sentence embeddings: L2-normalised,
 * nearest-neighbour cosine ≈ 0.7, random pairs ≈ 0. Same options → bit-identical output.
 * @example
 * const { vectors, queries } = clusteredDataset({ n: 10_000, queries: 200, seed: 7 });
 */
export function clusteredDataset(options: ClusteredDatasetOptions): ClusteredDataset {
  const { n, dim = 384, clusters = 100, queries = 100, seed = 42 } = options;
  const rng = createRng(seed);
  const mix = createMixture(rng, dim, clusters);
  const packed = new Float32Array((n + queries) * dim);
  const clusterOf = new Int32Array(n);
  const vectors: Float32Array[] = [];
  const queryVectors: Float32Array[] = [];
  for (let i = 0; i < n + queries; i++) {
    const cluster = rng.int(clusters);
    const v = packed.subarray(i * dim, (i + 1) * dim);
    samplePoint(rng, mix, cluster, v);
    if (i < n) {
      clusterOf[i] = cluster;
      vectors.push(v);
    } else {
      queryVectors.push(v);
    }
  }
  return { dim, vectors, queries: queryVectors, clusterOf };
}

/** Distance spaces understood by {@link exactTopK} (same definitions as Chroma). */
export type DatasetSpace = "l2" | "cosine" | "ip";

/** Options of {@link exactTopK}. */
export interface ExactTopKOptions {
  /** Data vectors; the label of `vectors[i]` is `labels?.[i] ?? i`. */
  vectors: readonly Float32Array[];
  queries: readonly Float32Array[];
  k: number;
  /** Default `"cosine"`. */
  space?: DatasetSpace;
  /** Labels of `vectors` (default: the position). */
  labels?: ArrayLike<number>;
  /** Only these labels are candidates. */
  allowed?: ReadonlySet<number>;
}

/** Ground truth of one query: labels and distances, ascending. */
export interface ExactTopKResult {
  labels: number[];
  distances: number[];
}

function oracleDistance(space: DatasetSpace, a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  let l2 = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as number;
    const y = b[i] as number;
    dot += x * y;
    na += x * x;
    nb += y * y;
    l2 += (x - y) * (x - y);
  }
  if (space === "l2") return l2;
  if (space === "ip") return 1 - dot;
  return na === 0 || nb === 0 ? 1 : 1 - dot / Math.sqrt(na * nb);
}

/**
 * Exact k nearest neighbours of every query by brute force (full sort; slow but obviously right).
 * Ties are ordered by label so results are reproducible.
 */
export function exactTopK(options: ExactTopKOptions): ExactTopKResult[] {
  const { vectors, queries, k, space = "cosine", labels, allowed } = options;
  return queries.map((q) => {
    const scored: { label: number; distance: number }[] = [];
    for (let i = 0; i < vectors.length; i++) {
      const label = labels ? (labels[i] as number) : i;
      if (allowed && !allowed.has(label)) continue;
      scored.push({ label, distance: oracleDistance(space, q, vectors[i]!) });
    }
    scored.sort((x, y) => x.distance - y.distance || x.label - y.label);
    const top = scored.slice(0, k);
    return { labels: top.map((s) => s.label), distances: top.map((s) => s.distance) };
  });
}

/** recall@k: the fraction of the true top-k labels that were found, pooled over all queries. */
export function recallAtK(
  found: readonly { labels: readonly number[] }[],
  truth: readonly ExactTopKResult[],
  k: number,
): number {
  let hits = 0;
  let total = 0;
  truth.forEach((t, qi) => {
    const want = new Set(t.labels.slice(0, k));
    const got = found[qi]?.labels.slice(0, k) ?? [];
    for (const label of got) if (want.has(label)) hits++;
    total += Math.min(k, t.labels.length);
  });
  return total === 0 ? 1 : hits / total;
}
