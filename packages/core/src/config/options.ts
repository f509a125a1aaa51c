/**
 * Validators of option bags, shared by every verb and client constructor: an object is expected, and unknown
 * keys are rejected with a "did you mean" hint (`rejectUnknownKeys`, which lives in `errors/` so that every
 * module can use it).
 */
import { InvalidArgumentError } from "../errors";
import { describeValue } from "../internal";

export { rejectUnknownKeys } from "../errors";

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
