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
import { invalidArgument, type Metadata, type MetadataScalar } from "@cairndb/core";

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

type JsonObject = { [key: string]: unknown };

function isPlainObject(value: unknown): value is JsonObject {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function isScalar(value: unknown): value is MetadataScalar {
  return (
    typeof value === "string" ||
    typeof value === "boolean" ||
    (typeof value === "number" && Number.isFinite(value))
  );
}

/** A non-empty array whose items are scalars of one `typeof`: what Cairn stores natively. */
function isScalarArray(value: unknown): value is MetadataScalar[] {
  if (!Array.isArray(value) || value.length === 0) return false;
  const kind = typeof value[0];
  return value.every((item) => isScalar(item) && typeof item === kind);
}

/** Whether a key can be one segment of a dotted path (and so be restored by splitting on `.`). */
function isSafeKey(key: string, atRoot: boolean): boolean {
  if (key.length === 0 || key.includes(".") || key.startsWith("$") || key.startsWith("#")) return false;
  return !(atRoot && RESERVED_KEYS.has(key));
}

/** Assigns without letting a key such as `__proto__` reach the prototype. */
function setOwn(target: JsonObject, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function setAtPath(root: JsonObject, path: string[], value: unknown): void {
  let node = root;
  for (const segment of path.slice(0, -1)) {
    const next = Object.hasOwn(node, segment) ? node[segment] : undefined;
    if (isPlainObject(next)) {
      node = next;
    } else {
      const created: JsonObject = {};
      setOwn(node, segment, created);
      node = created;
    }
  }
  setOwn(node, path[path.length - 1] as string, value);
}

function flattenInto(value: JsonObject, path: string[], flat: Metadata, residue: JsonObject): void {
  for (const key of Object.keys(value)) {
    const item = value[key];
    if (item === undefined || typeof item === "function" || typeof item === "symbol") continue; // as JSON does
    const itemPath = [...path, key];
    if (!isSafeKey(key, path.length === 0)) {
      setAtPath(residue, itemPath, item);
    } else if (isScalar(item) || isScalarArray(item)) {
      setOwn(flat, itemPath.join("."), Array.isArray(item) ? [...item] : item);
    } else if (isPlainObject(item) && Object.keys(item).length > 0) {
      flattenInto(item, itemPath, flat, residue);
    } else {
      setAtPath(residue, itemPath, item);
    }
  }
}

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
  const flat: Metadata = {};
  if (metadata === null || metadata === undefined) return flat;
  if (!isPlainObject(metadata)) throw invalidArgument(path, "expected a plain object");
  const residue: JsonObject = {};
  flattenInto(metadata, [], flat, residue);
  if (Object.keys(residue).length > 0) {
    try {
      setOwn(flat, CAIRN_JSON_KEY, JSON.stringify(residue));
    } catch (error) {
      throw invalidArgument(path, `metadata must be JSON-serialisable: ${(error as Error).message}`);
    }
  }
  return flat;
}

function mergeResidue(target: JsonObject, residue: JsonObject): void {
  for (const key of Object.keys(residue)) {
    const incoming = residue[key];
    const existing = Object.hasOwn(target, key) ? target[key] : undefined;
    if (isPlainObject(incoming) && isPlainObject(existing)) mergeResidue(existing, incoming);
    else setOwn(target, key, incoming);
  }
}

/** Whether a dotted path can be created without overwriting a value already placed. */
function canPlace(root: JsonObject, segments: string[]): boolean {
  let node: unknown = root;
  for (const [i, segment] of segments.entries()) {
    if (!isPlainObject(node)) return false;
    if (!Object.hasOwn(node, segment)) return true;
    if (i === segments.length - 1) return false;
    node = node[segment];
  }
  return true;
}

/**
 * Restores node metadata from what {@link flattenMetadata} stored, ignoring the keys of
 * {@link RESERVED_KEYS}. Keys written by other tools that collide (`a` and `a.b`) are kept verbatim.
 * @example restoreMetadata({ "loc.lines.from": 1, ref_doc_id: "d1" }) // → { loc: { lines: { from: 1 } } }
 */
export function restoreMetadata(stored: Metadata | null | undefined): Record<string, unknown> {
  const out: JsonObject = {};
  if (!stored) return out;
  // Shallow keys first, so that a colliding deeper key (`a.b` beside `a`) is the one kept verbatim.
  const keys = Object.keys(stored)
    .filter((key) => !RESERVED_KEYS.has(key))
    .sort((a, b) => a.split(".").length - b.split(".").length);
  for (const key of keys) {
    const value = Array.isArray(stored[key]) ? [...(stored[key] as MetadataScalar[])] : stored[key];
    const segments = key.split(".");
    if (segments.some((s) => s.length === 0) || !canPlace(out, segments)) setOwn(out, key, value);
    else setAtPath(out, segments, value);
  }
  const encoded = stored[CAIRN_JSON_KEY];
  if (typeof encoded === "string") {
    let residue: unknown;
    try {
      residue = JSON.parse(encoded);
    } catch {
      residue = undefined;
    }
    if (isPlainObject(residue)) mergeResidue(out, residue);
  }
  return out;
}
