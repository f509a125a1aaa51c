/**
 * Partial selection of the k smallest (distance, label) pairs with a bounded max-heap: O(n log k) instead of
 * sorting all n candidates. Ties on distance are broken by label so exact results are reproducible.
 */
import type { SearchResult } from "./types";

/** Collects the k closest candidates; push everything, then call `result()`. */
export class TopK {
  private readonly dist: Float64Array;
  private readonly label: Float64Array;
  private count = 0;
  /**
   * Distance a candidate must beat to enter once the heap is full (Infinity until then). Reading this
   * field lets hot loops skip `push` for most candidates.
   */
  worst = Number.POSITIVE_INFINITY;

  constructor(readonly k: number) {
    this.dist = new Float64Array(k);
    this.label = new Float64Array(k);
  }

  /** Offers one candidate. */
  push(distance: number, label: number): void {
    const k = this.k;
    if (k === 0) return;
    if (this.count < k) {
      this.siftUp(this.count++, distance, label);
      if (this.count === k) this.worst = this.dist[0] as number;
      return;
    }
    // Equal distance enters only with a smaller label, so the kept set does not depend on push order.
    const top = this.dist[0] as number;
    if (distance > top || (distance === top && label >= (this.label[0] as number))) return;
    this.siftDown(distance, label);
    this.worst = this.dist[0] as number;
  }

  /** The kept candidates, ascending by (distance, label). Distances are rounded to float32. */
  result(): SearchResult {
    const order = Array.from({ length: this.count }, (_, i) => i);
    order.sort((a, b) => {
      const d = (this.dist[a] as number) - (this.dist[b] as number);
      return d !== 0 ? d : (this.label[a] as number) - (this.label[b] as number);
    });
    return {
      labels: order.map((i) => this.label[i] as number),
      distances: order.map((i) => Math.fround(this.dist[i] as number)),
    };
  }

  private worse(d1: number, l1: number, d2: number, l2: number): boolean {
    return d1 > d2 || (d1 === d2 && l1 > l2);
  }

  private siftUp(i: number, distance: number, label: number): void {
    const { dist, label: lab } = this;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.worse(distance, label, dist[parent] as number, lab[parent] as number)) break;
      dist[i] = dist[parent] as number;
      lab[i] = lab[parent] as number;
      i = parent;
    }
    dist[i] = distance;
    lab[i] = label;
  }

  /** Replaces the root (the worst kept) and restores the heap. */
  private siftDown(distance: number, label: number): void {
    const { dist, label: lab, count } = this;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= count) break;
      const right = left + 1;
      let child = left;
      if (
        right < count &&
        this.worse(dist[right] as number, lab[right] as number, dist[left] as number, lab[left] as number)
      ) {
        child = right;
      }
      if (!this.worse(dist[child] as number, lab[child] as number, distance, label)) break;
      dist[i] = dist[child] as number;
      lab[i] = lab[child] as number;
      i = child;
    }
    dist[i] = distance;
    lab[i] = label;
  }
}

/** Merges result lists whose labels are disjoint into the k closest overall. */
export function mergeResults(k: number, ...lists: SearchResult[]): SearchResult {
  const top = new TopK(k);
  for (const list of lists) {
    for (let i = 0; i < list.labels.length; i++)
      top.push(list.distances[i] as number, list.labels[i] as number);
  }
  return top.result();
}
