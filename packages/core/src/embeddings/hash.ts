import { invalidArgument, rejectUnknownKeys } from "../errors";
import type { Space } from "../types";
import type { EmbeddingFunction } from "./types";

/**
 * Options of {@link HashEmbeddingFunction}.
 * @example new HashEmbeddingFunction({ dimension: 256 })
 */
export interface HashEmbeddingFunctionOptions {
  /** Vector length. Default 384 (the default model's, so collections can switch without a new dimension). */
  dimension?: number;
}

const DEFAULT_DIMENSION = 384;
const MAX_DIMENSION = 1 << 20;
const OPTION_KEYS = ["dimension"];

// Weights of the three feature families. Word unigrams carry most of the signal; bigrams reward shared
// phrases; character trigrams give some robustness to inflections and typos without drowning the words.
const UNIGRAM_WEIGHT = 1;
const BIGRAM_WEIGHT = 0.5;
const TRIGRAM_WEIGHT = 0.5;
// Texts without any word still get a (constant) unit vector, so cosine distances stay defined.
const EMPTY_FEATURE = "\u0000empty";

/** 32-bit FNV-1a over UTF-16 code units, then murmur3's finaliser so that every output bit is well mixed. */
function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Lower-cased words: runs of Unicode letters, marks and digits (NFKC-normalised first). */
function words(text: string): string[] {
  return (
    text
      .normalize("NFKC")
      .toLowerCase()
      .match(/[\p{L}\p{M}\p{N}]+/gu) ?? []
  );
}

/** Feature → weight for one text: unigrams, bigrams, and trigrams of `^word$`, with prefixes per family. */
function features(text: string): Map<string, number> {
  const counts = new Map<string, number>();
  const add = (key: string) => counts.set(key, (counts.get(key) ?? 0) + 1);
  const tokens = words(text);
  for (let i = 0; i < tokens.length; i++) {
    const word = tokens[i] as string;
    add(`w:${word}`);
    if (i > 0) add(`b:${tokens[i - 1]} ${word}`);
    const padded = `^${word}$`;
    for (let j = 0; j + 3 <= padded.length; j++) add(`c:${padded.slice(j, j + 3)}`);
  }
  if (counts.size === 0) add(EMPTY_FEATURE);
  const weighted = new Map<string, number>();
  for (const [key, tf] of counts) {
    const family = key[0] === "w" ? UNIGRAM_WEIGHT : key[0] === "b" ? BIGRAM_WEIGHT : TRIGRAM_WEIGHT;
    weighted.set(key, family * (1 + Math.log(tf)));
  }
  return weighted;
}

/**
 * A deterministic, offline, dependency-free **lexical** embedding: signed feature hashing of lower-cased
 * word unigrams, word bigrams and character trigrams (of each word padded with `^` and `$`), with sublinear
 * term frequency (1 + ln tf), L2-normalised.
 *
 * Be honest about what it measures: texts score as similar when they **share words** (or word fragments),
 * not when they mean the same thing — "car" and "automobile" are unrelated to it. It is a good fit for tests,
 * demos, examples and air-gapped setups where no model can be installed; use {@link DefaultEmbeddingFunction}
 * or a hosted model for semantic search.
 *
 * Every call on every machine returns the same vectors (no randomness, no platform-dependent maths beyond
 * IEEE `Math.log`/`Math.sqrt`), so it is safe to persist and rebuild by name (`"hash"`).
 * @example
 * const ef = new HashEmbeddingFunction({ dimension: 384 });
 * const [a, b] = await ef.generate(["red apples", "green apples"]);
 */
export class HashEmbeddingFunction implements EmbeddingFunction {
  /** Registry name. */
  readonly name = "hash";
  readonly #dimension: number;

  constructor(options: HashEmbeddingFunctionOptions = {}) {
    rejectUnknownKeys(options, OPTION_KEYS, "HashEmbeddingFunction");
    const dimension = options.dimension ?? DEFAULT_DIMENSION;
    if (!Number.isInteger(dimension) || dimension < 1 || dimension > MAX_DIMENSION) {
      throw invalidArgument("dimension", `expected an integer from 1 to ${MAX_DIMENSION}, got ${dimension}`);
    }
    this.#dimension = dimension;
  }

  /** Rebuilds the EF from `getConfig()` output (`{ dimension }`). */
  static buildFromConfig(config: Record<string, unknown>): HashEmbeddingFunction {
    const dimension = config.dimension;
    if (dimension !== undefined && typeof dimension !== "number") {
      throw invalidArgument("config.dimension", `expected a number, got ${typeof dimension}`);
    }
    return new HashEmbeddingFunction(dimension === undefined ? {} : { dimension });
  }

  /** Embeds each text; one unit-length vector of `dimension` numbers per text. */
  async generate(texts: string[]): Promise<number[][]> {
    return texts.map((text, i) => {
      if (typeof text !== "string")
        throw invalidArgument(`texts[${i}]`, `expected a string, got ${typeof text}`);
      return this.#embed(text);
    });
  }

  /** Vectors are unit length, so cosine is the natural space. */
  defaultSpace(): Space {
    return "cosine";
  }

  /** All spaces work: on unit vectors, cosine, ip and l2 rank the same way. */
  supportedSpaces(): Space[] {
    return ["cosine", "ip", "l2"];
  }

  /** The persisted configuration. */
  getConfig(): { dimension: number } {
    return { dimension: this.#dimension };
  }

  /** The vector length. */
  dimension(): number {
    return this.#dimension;
  }

  #embed(text: string): number[] {
    const vector = new Float64Array(this.#dimension);
    for (const [feature, weight] of features(text)) {
      const h = hash32(feature);
      // Index from the low 31 bits, sign from the top bit: independent bits of a well-mixed hash.
      const index = (h & 0x7fffffff) % this.#dimension;
      vector[index] = (vector[index] as number) + (h >>> 31 === 1 ? -weight : weight);
    }
    let norm = 0;
    for (const v of vector) norm += v * v;
    norm = Math.sqrt(norm);
    // A norm of 0 needs every feature to cancel out exactly; return the raw (zero) vector rather than NaN.
    return Array.from(vector, (v) => (norm > 0 ? v / norm : v));
  }
}
