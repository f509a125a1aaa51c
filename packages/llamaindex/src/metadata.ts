/**
 * Lossless mapping between LlamaIndex node metadata (any JSON) and Cairn record metadata (flat keys whose
 * values are scalars or homogeneous, non-empty arrays of scalars).
 *
 * Flatten (write):
 * - scalars (string, finite number, boolean) and homogeneous non-empty scalar arrays are stored as they are,
 *   so every LlamaIndex operator can filter them;
 * - nested plain objects are flattened to dotted keys, `{ loc: { lines: { from: 1 } } }` → `"loc.lines.from": 1`,
 *   so filters address nested values as `{ key: "loc.lines.from", … }`;
 * - everything else (null, `[]`, `{}`, arrays of objects, mixed arrays, non-finite numbers) and every key that
 *   cannot be flattened unambiguously (it contains `.`, is empty, starts with `$` or `#`, or is a reserved key
 *   of {@link RESERVED_KEYS}) goes into ONE reserved key, {@link CAIRN_JSON_KEY}, as a JSON document holding
 *   just those entries at their nested positions. Filters cannot look inside it.
 *
 * Restore (read): dotted keys become nested objects again and the JSON entries are merged back. The round
 * trip of `m` is `JSON.parse(JSON.stringify(m))`, the same JSON semantics LlamaIndex's own stores apply.
 */
import {
  flattenMetadata as flattenNested,
  type Metadata,
  restoreMetadata as restoreNested,
} from "@cairndb/core";

/** The reserved key holding, as JSON, the metadata entries Cairn cannot store natively. */
export const CAIRN_JSON_KEY = "_cairn_json";

/**
 * Keys the store writes beside the user's metadata: LlamaIndex's own (`nodeToMetadata`) plus
 * {@link CAIRN_JSON_KEY}. A user key with one of these names is kept in the JSON entry instead.
 */
export const RESERVED_KEYS: ReadonlySet<string> = new Set([
  "_node_content",
  "_node_type",
  "document_id",
  "doc_id",
  "ref_doc_id",
  CAIRN_JSON_KEY,
]);

const OPTIONS = { residueKey: CAIRN_JSON_KEY, reservedKeys: RESERVED_KEYS };

/**
 * Flattens a node's metadata for Cairn (see the module comment). Never mutates its input.
 * @param metadata the node's `metadata`.
 * @param path where it came from, for error messages (e.g. `nodes[3].metadata`).
 * @throws InvalidArgumentError when a value cannot be serialised as JSON (a BigInt, a cycle).
 * @example flattenMetadata({ file: "a.md", loc: { lines: { from: 1 } }, tags: [] })
 * // → { file: "a.md", "loc.lines.from": 1, _cairn_json: '{"tags":[]}' }
 */
export function flattenMetadata(
  metadata: Record<string, unknown> | null | undefined,
  path = "metadata",
): Metadata {
  return flattenNested(metadata, OPTIONS, path);
}

/**
 * Restores node metadata from what {@link flattenMetadata} stored, ignoring the keys of {@link RESERVED_KEYS}.
 * @example restoreMetadata({ "loc.lines.from": 1, ref_doc_id: "d1" }) // → { loc: { lines: { from: 1 } } }
 */
export function restoreMetadata(stored: Metadata | null | undefined): Record<string, unknown> {
  return restoreNested(stored, OPTIONS);
}
