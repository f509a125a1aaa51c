import { InvalidArgumentError } from "../errors";

/** Levenshtein distance, for "did you mean" hints on misspelt option keys. */
function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length]!;
}

/**
 * Rejects keys of an options object that the verb does not know, with a "did you mean" hint.
 * @throws InvalidArgumentError code `UNKNOWN_OPTION`
 */
export function rejectUnknownKeys(value: object, known: readonly string[], path: string): void {
  for (const key of Object.keys(value)) {
    if (known.includes(key)) continue;
    const best = known
      .map((k) => ({ k, d: editDistance(key.toLowerCase(), k.toLowerCase()) }))
      .sort((x, y) => x.d - y.d)[0];
    const hint = best && best.d <= Math.max(2, Math.floor(key.length / 3)) ? ` Did you mean "${best.k}"?` : "";
    throw new InvalidArgumentError(
      "UNKNOWN_OPTION",
      `${path}: unknown option "${key}".${hint} Known options: ${known.join(", ")}.`,
      { details: { path, key } },
    );
  }
}

/** Checks that a value is a plain object (an options bag). */
export function expectOptionsObject(value: unknown, path: string): Record<string, unknown> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new InvalidArgumentError("INVALID_ARGUMENT", `${path}: expected an options object, got ${value === null ? "null" : Array.isArray(value) ? "an array" : typeof value}`, {
      details: { path },
    });
  }
  return value as Record<string, unknown>;
}
