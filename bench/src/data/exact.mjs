/**
 * Exact k-NN by cosine distance over a packed Float32Array: the kernel of the brute-force driver and of the
 * ground truth. One scan can feed several top-k lists (unfiltered and each filter), so the ground truth of all
 * filters costs one pass over the data. Ties are ordered by label, so results are reproducible.
 */

/** A bounded list of the k smallest (distance, label) pairs, kept sorted (k is small: insertion is cheapest). */
export class TopK {
  constructor(k) {
    this.k = k;
    this.labels = [];
    this.distances = [];
  }

  /** The distance a candidate must beat (Infinity until full). */
  get worst() {
    return this.labels.length < this.k ? Number.POSITIVE_INFINITY : this.distances[this.k - 1];
  }

  push(distance, label) {
    if (this.k === 0) return;
    const worst = this.worst;
    if (distance > worst || (distance === worst && label > this.labels[this.k - 1])) return;
    let i = Math.min(this.labels.length, this.k - 1);
    if (this.labels.length < this.k) {
      this.labels.push(label);
      this.distances.push(distance);
    }
    while (
      i > 0 &&
      (this.distances[i - 1] > distance || (this.distances[i - 1] === distance && this.labels[i - 1] > label))
    ) {
      this.labels[i] = this.labels[i - 1];
      this.distances[i] = this.distances[i - 1];
      i--;
    }
    this.labels[i] = label;
    this.distances[i] = distance;
  }

  result() {
    return { labels: [...this.labels], distances: [...this.distances] };
  }
}

/** Euclidean norms of `count` packed rows (float64). */
export function rowNorms(data, dim, count = data.length / dim) {
  const norms = new Float64Array(count);
  for (let r = 0; r < count; r++) {
    let s = 0;
    const o = r * dim;
    for (let i = 0; i < dim; i++) s += data[o + i] * data[o + i];
    norms[r] = Math.sqrt(s);
  }
  return norms;
}

/**
 * Scans every row once and offers it to each list whose predicate accepts it.
 * @param {{ data: Float32Array, norms: Float64Array, dim: number, count: number }} table
 * @param {Float32Array} query
 * @param {{ top: TopK, accept?: (i: number) => boolean }[]} lists
 */
export function scanCosine(table, query, lists) {
  const { data, norms, dim, count } = table;
  let qn = 0;
  for (let i = 0; i < dim; i++) qn += query[i] * query[i];
  qn = Math.sqrt(qn);
  for (let r = 0; r < count; r++) {
    let wanted = false;
    for (const list of lists) if (!list.accept || list.accept(r)) wanted = true;
    if (!wanted) continue;
    const o = r * dim;
    let dot = 0;
    for (let i = 0; i < dim; i++) dot += query[i] * data[o + i];
    const denom = qn * norms[r];
    const d = denom === 0 ? 1 : 1 - dot / denom;
    for (const list of lists) if (!list.accept || list.accept(r)) list.top.push(d, r);
  }
}
