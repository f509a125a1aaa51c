/**
 * Validators of option bags, shared by every verb and client constructor: an object is expected, and unknown
 * keys are rejected with a "did you mean" hint.
 */
import { InvalidArgumentError } from "../errors";
import { closestMatch, describeValue } from "../internal";

/**
 * Rejects the first key of `value` that is not in `known`, naming where it was found, the closest known key
 * (a likely typo) and every known key. Own enumerable string keys are checked; `known` is matched exactly.
 *
 * Public on purpose: the adapters and the server validate their own option bags with it, so every package
 * rejects a misspelt option the same way.
 * @param value the options object to check
 * @param known the keys it may have
 * @param path where the object was passed, for the message (e.g. `"CairnVectorStore"`, `"query"`)
 * @throws InvalidArgumentError code `UNKNOWN_OPTION`, with `details: { path, key, known }`
 * @example rejectUnknownKeys({ nResult: 3 }, ["nResults", "where"], "query")
 * // InvalidArgumentError: query: unknown option "nResult". Did you mean "nResults"? Known options: nResults, where.
 */
export function rejectUnknownKeys(value: object, known: readonly string[], path: string): void {
  for (const key of Object.keys(value)) {
    if (known.includes(key)) continue;
    const best = closestMatch(key, known);
    const hint = best === undefined ? "" : ` Did you mean "${best}"?`;
    throw new InvalidArgumentError(
      "UNKNOWN_OPTION",
      `${path}: unknown option "${key}".${hint} Known options: ${known.join(", ")}.`,
      { details: { path, key, known: [...known] } },
    );
  }
}

/**
 * Checks that a value is a plain object (an options bag) and returns it typed as a record.
 * @throws InvalidArgumentError code `INVALID_ARGUMENT` for null, an array or a primitive.
 */
export function expectOptionsObject(value: unknown, path: string): Record<string, unknown> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new InvalidArgumentError(
      "INVALID_ARGUMENT",
      `${path}: expected an options object, got ${describeValue(value)}`,
      { details: { path } },
    );
  }
  return value as Record<string, unknown>;
}
