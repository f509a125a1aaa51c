/**
 * Lossless mapping between framework metadata (any JSON: LangChain documents, LlamaIndex nodes) and Cairn
 * record metadata (flat keys whose values are scalars or homogeneous, non-empty arrays of scalars). Shared by
 * the adapters so that both store nested metadata the same way.
 *
 * Flatten (write):
 * - scalars (string, finite number, boolean) and homogeneous non-empty scalar arrays are stored as they are,
 *   so every filter operator can reach them;
 * - nested plain objects are flattened to dotted keys, `{ loc: { lines: { from: 1 } } }` → `"loc.lines.from": 1`,
 *   so filters address nested values as `{ "loc.lines.from": { $gte: 1 } }`;
 * - everything else (null, `[]`, `{}`, arrays of objects, mixed arrays, non-finite numbers) and every key that
 *   cannot be flattened unambiguously (it contains `.`, is empty, starts with `$` or `#`, or is one of the
 *   caller's reserved keys) goes into ONE residue key, as a JSON document holding just those entries at their
 *   nested positions. Filters cannot look inside it.
 *
 * Restore (read): dotted keys become nested objects again and the residue is merged back. The round trip of
 * `m` is `JSON.parse(JSON.stringify(m))`.
 */
import { isPlainObject, setOwn } from "../internal";
import { invalidArgument } from "../errors";
import type { Metadata, MetadataScalar } from "../types";

/** Options of {@link flattenMetadata} / {@link restoreMetadata}. */
export interface NestedMetadataOptions {
  /** The key that holds, as JSON, the entries Cairn cannot store natively (e.g. `"lc_json"`). */
  residueKey: string;
  /** Top-level keys the caller writes itself: user keys with these names go into the residue, and restoring skips them. */
  reservedKeys?: Iterable<string>;
}

type JsonObject = { [key: string]: unknown };

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
function isSafeKey(key: string, atRoot: boolean, reserved: ReadonlySet<string>): boolean {
  if (key.length === 0 || key.includes(".") || key.startsWith("$") || key.startsWith("#")) return false;
  return !(atRoot && reserved.has(key));
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

function flattenInto(
  value: JsonObject,
  path: string[],
  flat: Metadata,
  residue: JsonObject,
  reserved: ReadonlySet<string>,
): void {
  for (const key of Object.keys(value)) {
    const item = value[key];
    if (item === undefined || typeof item === "function" || typeof item === "symbol") continue; // as JSON does
    const itemPath = [...path, key];
    if (!isSafeKey(key, path.length === 0, reserved)) {
      setAtPath(residue, itemPath, item);
    } else if (isScalar(item) || isScalarArray(item)) {
      setOwn(flat, itemPath.join("."), Array.isArray(item) ? [...item] : item);
    } else if (isPlainObject(item) && Object.keys(item).length > 0) {
      flattenInto(item, itemPath, flat, residue, reserved);
    } else {
      setAtPath(residue, itemPath, item);
    }
  }
}

function reservedOf(options: NestedMetadataOptions): ReadonlySet<string> {
  return new Set([options.residueKey, ...(options.reservedKeys ?? [])]);
}

/**
 * Flattens any JSON metadata into Cairn metadata (see the module comment). Never mutates its input.
 * @param metadata a document's or node's metadata.
 * @param options the residue key and the caller's reserved keys.
 * @param path where it came from, for error messages (e.g. `documents[3].metadata`).
 * @throws InvalidArgumentError when a value cannot be serialised as JSON (a BigInt, a cycle).
 * @example flattenMetadata({ file: "a.md", loc: { lines: { from: 1 } }, tags: [] }, { residueKey: "_json" })
 * // → { file: "a.md", "loc.lines.from": 1, _json: '{"tags":[]}' }
 */
export function flattenMetadata(
  metadata: Record<string, unknown> | null | undefined,
  options: NestedMetadataOptions,
  path = "metadata",
): Metadata {
  const flat: Metadata = {};
  if (metadata === null || metadata === undefined) return flat;
  if (!isPlainObject(metadata)) throw invalidArgument(path, "expected a plain object");
  const residue: JsonObject = {};
  flattenInto(metadata, [], flat, residue, reservedOf(options));
  if (Object.keys(residue).length > 0) {
    let encoded: string;
    try {
      encoded = JSON.stringify(residue);
    } catch (error) {
      throw invalidArgument(path, `metadata must be JSON-serialisable: ${(error as Error).message}`);
    }
    setOwn(flat, options.residueKey, encoded);
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
 * Restores metadata written by {@link flattenMetadata}: dotted keys become nested objects and the residue is
 * merged back; the caller's reserved keys are skipped. Keys written by other tools that collide (`a` and
 * `a.b`) are kept verbatim, and a residue key that is not ours (not a JSON object) is kept as a plain value.
 * @example restoreMetadata({ "loc.lines.from": 1 }, { residueKey: "_json" }) // → { loc: { lines: { from: 1 } } }
 */
export function restoreMetadata(
  stored: Metadata | null | undefined,
  options: NestedMetadataOptions,
): Record<string, unknown> {
  const out: JsonObject = {};
  if (!stored) return out;
  const reserved = reservedOf(options);
  // Shallow keys first, so that a colliding deeper key (`a.b` beside `a`) is the one kept verbatim.
  const keys = Object.keys(stored)
    .filter((key) => !reserved.has(key))
    .sort((a, b) => a.split(".").length - b.split(".").length);
  for (const key of keys) {
    const value = Array.isArray(stored[key]) ? [...(stored[key] as MetadataScalar[])] : stored[key];
    const segments = key.split(".");
    if (segments.some((s) => s.length === 0) || !canPlace(out, segments)) setOwn(out, key, value);
    else setAtPath(out, segments, value);
  }
  const encoded = stored[options.residueKey];
  let residue: unknown;
  if (typeof encoded === "string") {
    try {
      residue = JSON.parse(encoded);
    } catch {
      residue = undefined;
    }
  }
  if (isPlainObject(residue)) mergeResidue(out, residue);
  else if (encoded !== undefined) setOwn(out, options.residueKey, encoded);
  return out;
}
