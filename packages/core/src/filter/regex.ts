/**
 * The one regular-expression engine of Cairn: RE2 syntax through `re2js`, matching in time linear in the
 * input, so a hostile pattern such as `(a*)*$` cannot stall a query. Chroma uses Rust's `regex` crate, which
 * belongs to the same syntax family (no backreferences, no lookaround, inline flags such as `(?i)`).
 */
import { RE2JS } from "re2js";
import { InvalidArgumentError } from "../errors";
import { errorMessage, truncate } from "../internal";

/** A compiled pattern. `test` is an unanchored search, like `RegExp.prototype.test` and Rust's `is_match`. */
export interface CompiledRegex {
  /** The source pattern. */
  readonly pattern: string;
  /** Whether the pattern matches anywhere in `text`. */
  test(text: string): boolean;
}

/** How many compiled patterns are kept (least recently used are dropped first). */
export const REGEX_CACHE_SIZE = 256;

// A cache of pure values, not a setting: sharing it between clients changes nothing observable.
const cache = new Map<string, CompiledRegex>();

/**
 * Compiles an RE2 pattern, reusing a recent compilation of the same pattern when there is one.
 *
 * Differences from Rust's `regex` worth knowing: RE2's `\d`, `\w`, `\s` and `\b` are ASCII-only (Rust's are
 * Unicode-aware unless `(?-u)`); use `\pL`, `\p{Nd}` or explicit classes for Unicode text.
 *
 * @throws InvalidArgumentError `INVALID_FILTER` naming the pattern and RE2's reason when it does not compile.
 * @example compileRegex("(?i)refund").test("Refund policy") // true
 */
export function compileRegex(pattern: string): CompiledRegex {
  const hit = cache.get(pattern);
  if (hit !== undefined) {
    // Re-insert to mark it most recently used (a Map iterates in insertion order).
    cache.delete(pattern);
    cache.set(pattern, hit);
    return hit;
  }
  const compiled = compileUncached(pattern);
  cache.set(pattern, compiled);
  if (cache.size > REGEX_CACHE_SIZE) {
    const oldest = cache.keys().next();
    if (oldest.done !== true) cache.delete(oldest.value);
  }
  return compiled;
}

function compileUncached(pattern: string): CompiledRegex {
  let re: RE2JS;
  try {
    re = RE2JS.compile(pattern);
  } catch (cause) {
    const reason = errorMessage(cause);
    throw new InvalidArgumentError(
      "INVALID_FILTER",
      `invalid regular expression ${quote(pattern)}: ${reason}; patterns use RE2 syntax ` +
        "(no backreferences or lookaround; inline flags such as (?i) work)",
      { cause, details: { pattern, reason } },
    );
  }
  return { pattern, test: (text: string) => re.test(text) };
}

/** JSON-quotes a pattern for a message, shortening very long ones. */
function quote(pattern: string): string {
  return JSON.stringify(truncate(pattern, 200));
}
