/**
 * Edit distance and the "did you mean" suggestion built on it: one implementation for misspelt option keys,
 * filter operators and CLI flags.
 */

/** Inputs longer than this get no suggestion: the distance is quadratic and a long key is no typo. */
const DEFAULT_MAX_LENGTH = 64;

/**
 * Levenshtein distance between two strings (insertions, deletions and substitutions of UTF-16 code units,
 * each costing 1). Time O(|a|·|b|), memory O(|b|).
 * @example editDistance("kitten", "sitting") // 3
 */
export function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j] as number;
      const substitution = diagonal + (a[i - 1] === b[j - 1] ? 0 : 1);
      row[j] = Math.min(above + 1, (row[j - 1] as number) + 1, substitution);
      diagonal = above;
    }
  }
  return row[b.length] as number;
}

/** Options of {@link closestMatch}. */
export interface ClosestMatchOptions {
  /** Largest distance still suggested. Default: `max(2, ⌊input.length / 3⌋)`. */
  maxDistance?: number;
  /** Inputs longer than this get no suggestion (default 64). */
  maxLength?: number;
}

/**
 * The candidate closest to `input` by case-insensitive edit distance, when it is close enough to be a likely
 * typo; the first of equally close candidates wins. `undefined` when none is close, or `input` is too long.
 * @example closestMatch("metdata", ["metadata", "ids"]) // "metadata"
 */
export function closestMatch(
  input: string,
  candidates: Iterable<string>,
  options: ClosestMatchOptions = {},
): string | undefined {
  if (input.length > (options.maxLength ?? DEFAULT_MAX_LENGTH)) return undefined;
  const limit = options.maxDistance ?? Math.max(2, Math.floor(input.length / 3));
  const needle = input.toLowerCase();
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (const candidate of candidates) {
    const distance = editDistance(needle, candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}
