/**
 * Last-line checks on the names and ids the engine binds into SQL. The clients validate their arguments
 * first; these make sure that whatever reaches the engine (a tenant option, an id from a server request) is
 * a string before SQLite sees it, so a wrong type is an `INVALID_ARGUMENT` naming the parameter instead of a
 * binding error from the driver.
 */
import { describeValue } from "../internal";
import { invalidArgument } from "../errors";

/** Longest tenant, database or collection name or id accepted (Chroma's names are at most 512 characters). */
const MAX_NAME_LENGTH = 512;
/** A UTF-16 surrogate without its partner: SQLite would store U+FFFD instead, so the name would not round-trip. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Returns `value` when it is a well-formed string of at most 512 characters.
 * @throws InvalidArgumentError `INVALID_ARGUMENT` naming `path` otherwise.
 */
export function requireName(value: unknown, path: string): string {
  if (typeof value !== "string")
    throw invalidArgument(path, `expected a string, got ${describeValue(value)}`);
  if (value.length > MAX_NAME_LENGTH)
    throw invalidArgument(path, `expected at most ${MAX_NAME_LENGTH} characters, got ${value.length}`);
  if (LONE_SURROGATE.test(value))
    throw invalidArgument(path, "expected well-formed Unicode (it contains a lone surrogate)");
  return value;
}
