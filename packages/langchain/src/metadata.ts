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
import { invalidArgument, type Metadata, type MetadataScalar } from "@cairndb/core";

/**
 * The reserved metadata key holding, as JSON, the entries Cairn cannot store natively. Filters cannot look
 * inside it (only `{ lc_json: { $exists: … } }` is meaningful).
 */
export const LC_JSON_KEY = "lc_json";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
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

/** A non-empty array whose items are scalars of one `typeof` (what Cairn stores natively). */
function isScalarArray(value: unknown): value is MetadataScalar[] {
  if (!Array.isArray(value) || value.length === 0) return false;
  const kind = typeof value[0];
  return value.every((item) => isScalar(item) && typeof item === kind);
}

/** Whether a key can be part of a dotted path (and so be restored by splitting on `.`). */
function isSafeKey(key: string, atRoot: boolean): boolean {
  if (key.length === 0 || key.includes(".") || key.startsWith("$") || key.startsWith("#")) return false;
  return !(atRoot && key === LC_JSON_KEY);
}

/** Assigns without letting keys such as `__proto__` reach the prototype. */
function setOwn(target: JsonObject, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Puts `value` into the residue tree at `path` (creating the intermediate objects). */
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
      // Arrays are copied so the stored value never aliases the caller's.
      setOwn(flat, itemPath.join("."), Array.isArray(item) ? [...item] : item);
    } else if (isPlainObject(item) && Object.keys(item).length > 0) {
      flattenInto(item, itemPath, flat, residue);
    } else {
      setAtPath(residue, itemPath, item);
    }
  }
}

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
  const flat: Metadata = {};
  if (metadata === undefined || metadata === null) return flat;
  if (!isPlainObject(metadata)) throw invalidArgument(path, "expected a plain object");
  const residue: JsonObject = {};
  flattenInto(metadata, [], flat, residue);
  if (Object.keys(residue).length > 0) {
    try {
      setOwn(flat, LC_JSON_KEY, JSON.stringify(residue));
    } catch (error) {
      throw invalidArgument(path, `metadata must be JSON-serialisable: ${(error as Error).message}`);
    }
  }
  return flat;
}

/** Deep-merges the residue tree into the restored object (leaves of the residue win; none collide by design). */
function mergeResidue(target: JsonObject, residue: JsonObject): void {
  for (const key of Object.keys(residue)) {
    const incoming = residue[key];
    const existing = Object.hasOwn(target, key) ? target[key] : undefined;
    if (isPlainObject(incoming) && isPlainObject(existing)) mergeResidue(existing, incoming);
    else setOwn(target, key, incoming);
  }
}

/**
 * Restores LangChain metadata from what {@link encodeMetadata} stored: dotted keys become nested objects and
 * the {@link LC_JSON_KEY} entries are merged back. Keys written by other tools that collide (`a` and `a.b`)
 * are kept verbatim at the top level instead of failing.
 * @example decodeMetadata({ "loc.lines.from": 1 }) // → { loc: { lines: { from: 1 } } }
 */
export function decodeMetadata(stored: Metadata | null | undefined): Record<string, Json> {
  const out: JsonObject = {};
  if (!stored) return out as Record<string, Json>;
  // Shallow keys first, so that a colliding deeper key (`a.b` beside `a`) is the one kept verbatim.
  const keys = Object.keys(stored).sort((a, b) => a.split(".").length - b.split(".").length);
  for (const key of keys) {
    if (key === LC_JSON_KEY) continue;
    const value = Array.isArray(stored[key]) ? [...(stored[key] as MetadataScalar[])] : stored[key];
    const segments = key.split(".");
    if (segments.some((s) => s.length === 0) || !canPlace(out, segments)) setOwn(out, key, value);
    else setAtPath(out, segments, value);
  }
  const encoded = stored[LC_JSON_KEY];
  if (typeof encoded === "string") {
    let residue: unknown;
    try {
      residue = JSON.parse(encoded);
    } catch {
      residue = undefined; // not ours (written by another tool): keep it as a plain string below
    }
    if (isPlainObject(residue)) mergeResidue(out, residue);
    else setOwn(out, LC_JSON_KEY, encoded);
  } else if (encoded !== undefined) {
    setOwn(out, LC_JSON_KEY, encoded);
  }
  return out as Record<string, Json>;
}

/** Whether a dotted path can be created without overwriting a value already placed. */
function canPlace(root: JsonObject, segments: string[]): boolean {
  let node: unknown = root;
  for (const [i, segment] of segments.entries()) {
    if (!isPlainObject(node)) return false; // a value already sits where an object is needed
    if (!Object.hasOwn(node, segment)) return true;
    if (i === segments.length - 1) return false; // the exact key is taken
    node = node[segment];
  }
  return true;
}
