/**
 * Lossless mapping between LangChain `Document.metadata` (any JSON) and Cairn record metadata (flat keys whose
 * values are scalars or homogeneous, non-empty arrays of scalars).
 *
 * - Nested plain objects are flattened to dotted keys: `{ loc: { lines: { from: 1 } } }` → `"loc.lines.from": 1`,
 *   so filters address them as `{ "loc.lines.from": { $gte: 1 } }`.
 * - Scalars (string, finite number, boolean) and homogeneous non-empty scalar arrays are stored as they are.
 * - Everything else (null, `[]`, `{}`, arrays of objects, mixed arrays, non-finite numbers, Dates …) and every
 *   key that cannot be flattened unambiguously (it contains `.`, starts with `$` or `#`, is empty, or is the
 *   reserved key itself at the top level) is kept in ONE reserved key, {@link LC_JSON_KEY}, as a JSON document
 *   holding just those entries at their nested positions. Reading merges it back.
 *
 * Values pass through JSON semantics: the round trip of `m` is `JSON.parse(JSON.stringify(m))` (key order aside).
 */
import { flattenMetadata, type Metadata, restoreMetadata } from "@cairndb/core";

/**
 * The reserved metadata key holding, as JSON, the entries Cairn cannot store natively. Filters cannot look
 * inside it (only `{ lc_json: { $exists: … } }` is meaningful).
 */
export const LC_JSON_KEY = "lc_json";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const OPTIONS = { residueKey: LC_JSON_KEY };

/**
 * Encodes LangChain metadata for Cairn (see the module comment). Never mutates its input.
 * @param metadata the document's metadata (any JSON-serialisable object).
 * @param path where the metadata came from, for error messages (e.g. `documents[3].metadata`).
 * @throws InvalidArgumentError when a value cannot be serialised as JSON (a BigInt, a cycle).
 * @example encodeMetadata({ source: "a.md", loc: { lines: { from: 1, to: 4 } }, tags: [] })
 * // → { source: "a.md", "loc.lines.from": 1, "loc.lines.to": 4, lc_json: '{"tags":[]}' }
 */
export function encodeMetadata(
  metadata: Record<string, unknown> | undefined | null,
  path = "metadata",
): Metadata {
  return flattenMetadata(metadata, OPTIONS, path);
}

/**
 * Restores LangChain metadata from what {@link encodeMetadata} stored: dotted keys become nested objects and
 * the {@link LC_JSON_KEY} entries are merged back.
 * @example decodeMetadata({ "loc.lines.from": 1 }) // → { loc: { lines: { from: 1 } } }
 */
export function decodeMetadata(stored: Metadata | null | undefined): Record<string, Json> {
  return restoreMetadata(stored, OPTIONS) as Record<string, Json>;
}
