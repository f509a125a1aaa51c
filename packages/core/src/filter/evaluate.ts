/**
 * The reference evaluator: interprets parsed filters against one record in memory. It defines Cairn's filter
 * semantics; the SQL compiled in `storage/` must select exactly the records this accepts (a property test
 * checks it), and exact scans may use it directly.
 */
import type { Metadata, MetadataScalar, MetadataValue } from "../types";
import type { DocumentNode, FieldNode, WhereNode } from "./ast";
import { compileRegex } from "./regex";

/**
 * Whether a record's metadata satisfies a parsed `where` filter.
 *
 * Semantics (a key whose value is `undefined` or `null` counts as absent; `null` metadata has no keys):
 * - `$and` is true when every child is (so `$and: []` matches all); `$or` when some child is (`$or: []` none).
 * - `$eq` matches scalar values only, never array elements. Numbers compare numerically, integers and floats
 *   alike (`1` equals `1.0`), with no truncation of float operands. Strings compare case-sensitively and
 *   booleans equal only booleans (`true` ≠ `1`). `$in` is `$eq` against any listed value.
 * - `$ne` / `$nin` are the exact negations of `$eq` / `$in`: they match records that lack the key, hold
 *   another type, or hold an array.
 * - `$gt`, `$gte`, `$lt`, `$lte` match scalar numbers only (never booleans, strings or arrays).
 * - `$contains` tests membership in an ARRAY value (same equality as `$eq`); a scalar or missing value never
 *   contains. `$not_contains` is its exact negation (true for scalars and missing keys).
 * - `$text_contains` (Cairn): case-sensitive substring of a scalar string value or of any string element of an
 *   array value. An empty operand matches every string value.
 * - `$exists` (Cairn): `true` matches records that have the key, `false` those that do not.
 */
export function evaluateWhere(node: WhereNode, metadata: Metadata | null | undefined): boolean {
  switch (node.kind) {
    case "and":
      return node.children.every((child) => evaluateWhere(child, metadata));
    case "or":
      return node.children.some((child) => evaluateWhere(child, metadata));
    case "field":
      return evaluateField(node, ownValue(metadata, node.key));
  }
}

/**
 * Whether a record's document satisfies a parsed `whereDocument` filter.
 *
 * Semantics:
 * - `$contains`: case-sensitive substring; `""` matches every record that has a document, none without one.
 * - `$not_contains`: the exact negation of `$contains` (so it matches records without a document).
 * - `$regex`: RE2 unanchored search (see `compileRegex`); false without a document.
 * - `$not_regex`: the exact negation of `$regex` (so it matches records without a document).
 * - `$and: []` matches all records, `$or: []` none.
 */
export function evaluateWhereDocument(node: DocumentNode, document: string | null | undefined): boolean {
  switch (node.kind) {
    case "and":
      return node.children.every((child) => evaluateWhereDocument(child, document));
    case "or":
      return node.children.some((child) => evaluateWhereDocument(child, document));
    case "contains":
      return typeof document === "string" && document.includes(node.text);
    case "not_contains":
      return !(typeof document === "string" && document.includes(node.text));
    case "regex":
      return typeof document === "string" && compileRegex(node.pattern).test(document);
    case "not_regex":
      return !(typeof document === "string" && compileRegex(node.pattern).test(document));
  }
}

function evaluateField(node: FieldNode, value: MetadataValue | undefined): boolean {
  switch (node.op) {
    case "$eq":
      return isScalar(value) && scalarEquals(value, node.value);
    case "$ne":
      return !(isScalar(value) && scalarEquals(value, node.value));
    case "$gt":
      return typeof value === "number" && value > node.value;
    case "$gte":
      return typeof value === "number" && value >= node.value;
    case "$lt":
      return typeof value === "number" && value < node.value;
    case "$lte":
      return typeof value === "number" && value <= node.value;
    case "$in":
      return isScalar(value) && valueSet(node.value).has(value);
    case "$nin":
      return !(isScalar(value) && valueSet(node.value).has(value));
    case "$contains":
      return arrayContains(value, node.value);
    case "$not_contains":
      return !arrayContains(value, node.value);
    case "$text_contains":
      return textContains(value, node.value);
    case "$exists":
      return (value !== undefined) === node.value;
  }
}

/** The value of an OWN key, so that keys like `__proto__` or `constructor` never reach the prototype. */
function ownValue(metadata: Metadata | null | undefined, key: string): MetadataValue | undefined {
  if (metadata === null || metadata === undefined || !Object.hasOwn(metadata, key)) return undefined;
  const value = metadata[key] as MetadataValue | null | undefined;
  return value === null ? undefined : value;
}

function isScalar(value: MetadataValue | undefined): value is MetadataScalar {
  return typeof value === "string" || typeof value === "number" || typeof value === "boolean";
}

/** Same type and same value; `===` already compares 1 and 1.0 as equal and never equates true with 1. */
function scalarEquals(a: MetadataScalar, b: MetadataScalar): boolean {
  return typeof a === typeof b && a === b;
}

function arrayContains(value: MetadataValue | undefined, item: MetadataScalar): boolean {
  if (!Array.isArray(value)) return false;
  for (const element of value as MetadataScalar[]) {
    if (scalarEquals(element, item)) return true;
  }
  return false;
}

function textContains(value: MetadataValue | undefined, text: string): boolean {
  if (typeof value === "string") return value.includes(text);
  if (!Array.isArray(value)) return false;
  for (const element of value as MetadataScalar[]) {
    if (typeof element === "string" && element.includes(text)) return true;
  }
  return false;
}

// `$in` lists can hold 100k values: build the lookup set once per list, not once per record. A Set compares
// with SameValueZero, which agrees with scalarEquals for finite scalars (1 ≠ "1", true ≠ 1, 0 = -0).
const valueSets = new WeakMap<readonly MetadataScalar[], Set<MetadataScalar>>();

function valueSet(values: readonly MetadataScalar[]): Set<MetadataScalar> {
  let set = valueSets.get(values);
  if (set === undefined) {
    set = new Set(values);
    valueSets.set(values, set);
  }
  return set;
}
