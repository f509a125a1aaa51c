/**
 * SQL functions Cairn's generated SQL relies on. Register them on every connection before running filters.
 */
import type Database from "better-sqlite3";
import { compileRegex } from "../filter/regex";

/**
 * Registers Cairn's SQL functions on a connection:
 * - `cairn_regexp(pattern, text)`: 1 when the RE2 `pattern` matches anywhere in `text`, else 0 (also 0 when
 *   either argument is not text, e.g. NULL). Linear time; compiled patterns are cached. An invalid pattern
 *   raises `INVALID_FILTER` (the parser rejects those before any SQL runs).
 * @example
 * const db = new Database(path);
 * registerSqlFunctions(db);
 */
export function registerSqlFunctions(db: Database.Database): void {
  db.function("cairn_regexp", { deterministic: true }, (pattern: unknown, text: unknown) => {
    if (typeof pattern !== "string" || typeof text !== "string") return 0;
    return compileRegex(pattern).test(text) ? 1 : 0;
  });
}
