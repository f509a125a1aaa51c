/** Rejection of unknown option keys, with a "did you mean" hint: one wording for every package. */
import { closestMatch } from "../internal";
import { InvalidArgumentError } from "./errors";

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
