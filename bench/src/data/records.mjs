/**
 * Metadata and documents of the synthetic records. Metadata is drawn from its own seeded stream (independent of
 * the vectors, so a filter's matches are spread over every cluster — the hard case for filtered search):
 *
 *   category  "c0".."c9" uniform                      → {category: "c3"} matches ~10%
 *   year      2000 + round(11 + 4·N(0,1)), in 2000..2024 → year 2011 ~10%, so c3 ∧ 2011 matches ~1%
 *   score     uniform float in [0, 1), 6 decimals
 *   flag      boolean, p = 0.5
 *
 * Columns are stored packed; documents are a pure function of the record and its columns (no storage).
 */
import { createRng } from "./rng.mjs";

const METADATA_SEED_SALT = 0x6d657461;

/** Packed metadata columns of `count` records. */
export function generateColumns(count, seed) {
  const rng = createRng((seed ^ METADATA_SEED_SALT) >>> 0);
  const category = new Uint8Array(count);
  const year = new Uint16Array(count);
  const score = new Float64Array(count);
  const flag = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    category[i] = rng.int(10);
    year[i] = 2000 + Math.min(24, Math.max(0, Math.round(11 + 4 * rng.gaussian())));
    score[i] = Math.round(rng.next() * 1e6) / 1e6;
    flag[i] = rng.next() < 0.5 ? 1 : 0;
  }
  return { category, year, score, flag };
}

/** The metadata object of record `i`. */
export function metadataOf(columns, i) {
  return {
    category: `c${columns.category[i]}`,
    year: columns.year[i],
    score: columns.score[i],
    flag: columns.flag[i] === 1,
  };
}

const WORDS = [
  "vector",
  "index",
  "graph",
  "query",
  "cluster",
  "recall",
  "latency",
  "embedding",
  "sqlite",
  "durable",
  "filter",
  "segment",
  "neighbour",
  "cosine",
  "batch",
  "snapshot",
];

/** A short document for record `i` (~60 characters), deterministic. */
export function documentOf(columns, i) {
  let h = Math.imul(i + 1, 0x9e3779b1) >>> 0;
  const words = [];
  for (let w = 0; w < 4; w++) {
    h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d) >>> 0;
    words.push(WORDS[h % WORDS.length]);
  }
  return `Record ${i} (c${columns.category[i]}, ${columns.year[i]}): ${words.join(" ")}.`;
}

/** The external id of record `i`, and back. */
export const idOf = (i) => `r${i}`;
export const indexOfId = (id) => Number(id.slice(1));
