/**
 * Parses user `where` / `whereDocument` filters (Chroma's grammar, plus `$text_contains` and `$exists`) into
 * the typed AST, validating everything on the way. Every error is an `INVALID_FILTER` whose message starts
 * with the JSON path of the offending part, e.g. `where.$and[1].year: $gt expects a number, got string "2020"`.
 *
 * Input is treated as hostile: only own enumerable data properties are read, non-plain objects are rejected,
 * user keys are never used to assign into objects, and depth and size are bounded before any recursion.
 */
import { CairnError, InvalidArgumentError } from "../errors";
import { closestMatch, describeValue, isPlainObject, truncate } from "../internal";
import type { MetadataScalar } from "../types";
import type { DocumentNode, FieldNode, WhereNode } from "./ast";
import { compileRegex } from "./regex";

/** Deepest allowed filter: the root clause is level 1, each `$and` / `$or` adds one level. */
export const MAX_FILTER_DEPTH = 64;

/** Most clauses (AST nodes: `$and`, `$or`, field or document clauses) one filter may hold. */
export const MAX_FILTER_NODES = 10_000;

/**
 * Longest `$contains` / `$not_contains` text of a `whereDocument`. The full-text prefilter matches the whole
 * text as a phrase, whose cost grows with its length times the document's repetitiveness (measured: a
 * 10,000-character text against a 200,000-character repetitive document took 23 s; 200,000 characters
 * exhausted memory), so unbounded texts would let one query stall the process.
 */
export const MAX_CONTAINS_LENGTH = 1_000;

const FIELD_OPERATORS = [
  "$eq",
  "$ne",
  "$gt",
  "$gte",
  "$lt",
  "$lte",
  "$in",
  "$nin",
  "$contains",
  "$not_contains",
  "$text_contains",
  "$exists",
] as const;
const LOGICAL_OPERATORS = ["$and", "$or"] as const;
const DOCUMENT_OPERATORS = ["$contains", "$not_contains", "$regex", "$not_regex", "$and", "$or"] as const;

/** Budget shared by one parse call. */
interface ParseState {
  nodes: number;
}

type Parser<T> = (value: unknown, path: string, depth: number, state: ParseState) => T;

/**
 * Parses and validates a `where` filter.
 * @param where the user's filter (any value; anything invalid throws).
 * @param path JSON path used as the prefix of error messages (e.g. `"queries[2].where"`).
 * @throws InvalidArgumentError `INVALID_FILTER` with `details.path`.
 * @example parseWhere({ $and: [{ type: "faq" }, { year: { $gte: 2020 } }] })
 */
export function parseWhere(where: unknown, path = "where"): WhereNode {
  return parseWhereClause(where, path, 1, { nodes: 0 });
}

/**
 * Parses and validates a `whereDocument` filter; regular expressions are compiled (and rejected) here.
 * @param whereDocument the user's filter (any value; anything invalid throws).
 * @param path JSON path used as the prefix of error messages.
 * @throws InvalidArgumentError `INVALID_FILTER` with `details.path`.
 * @example parseWhereDocument({ $and: [{ $contains: "refund" }, { $not_regex: "(?i)draft" }] })
 */
export function parseWhereDocument(whereDocument: unknown, path = "whereDocument"): DocumentNode {
  return parseDocumentClause(whereDocument, path, 1, { nodes: 0 });
}

function parseWhereClause(value: unknown, path: string, depth: number, state: ParseState): WhereNode {
  enterNode(path, depth, state);
  const [key, operand] = singleEntry(value, path, "a clause such as { field: value } or { $and: [...] }");
  const keyPath = childPath(path, key);
  if (key === "$and" || key === "$or") {
    const children = parseList(operand, keyPath, depth, state, parseWhereClause);
    return { kind: key === "$and" ? "and" : "or", children };
  }
  if (key.startsWith("$")) fail(keyPath, unknownTopLevelKey(key));
  if (key === "") fail(keyPath, "field names must not be empty");
  return parseField(key, operand, keyPath);
}

function parseField(key: string, value: unknown, path: string): FieldNode {
  if (Array.isArray(value)) {
    fail(path, "an array is not a valid value; use { $in: [...] } to match any of several values");
  }
  if (value === null) {
    fail(path, "null is not a valid value; use { $exists: false } to match records without this key");
  }
  if (!isPlainObject(value)) {
    if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") {
      return { kind: "field", key, op: "$eq", value: expectScalar(value, path, "the value") };
    }
    fail(
      path,
      `expected a string, number, boolean or an operator object such as { $gt: 1 }, got ${describeValue(value)}`,
    );
  }
  const [op, operand] = singleEntry(
    value,
    path,
    "an operator object such as { $gte: 2020 }",
    "a field's operator object holds exactly one operator; combine ranges with $and, " +
      "e.g. { $and: [{ year: { $gte: 2000 } }, { year: { $lt: 2010 } }] }",
  );
  return parseOperator(key, op, operand, path);
}

function parseOperator(key: string, op: string, operand: unknown, path: string): FieldNode {
  switch (op) {
    case "$eq":
    case "$ne":
    case "$contains":
    case "$not_contains":
      return { kind: "field", key, op, value: expectScalar(operand, path, op) };
    case "$gt":
    case "$gte":
    case "$lt":
    case "$lte":
      return { kind: "field", key, op, value: expectNumber(operand, path, op) };
    case "$in":
    case "$nin":
      return { kind: "field", key, op, value: expectScalarList(operand, path, op) };
    case "$text_contains":
      if (typeof operand !== "string") fail(path, `${op} expects a string, got ${describeValue(operand)}`);
      return { kind: "field", key, op, value: operand };
    case "$exists":
      if (typeof operand !== "boolean")
        fail(path, `${op} expects true or false, got ${describeValue(operand)}`);
      return { kind: "field", key, op, value: operand };
    default:
      return fail(path, unknownFieldOperator(op));
  }
}

function parseDocumentClause(value: unknown, path: string, depth: number, state: ParseState): DocumentNode {
  enterNode(path, depth, state);
  const [key, operand] = singleEntry(value, path, 'a clause such as { $contains: "text" }');
  const keyPath = childPath(path, key);
  switch (key) {
    case "$and":
    case "$or": {
      const children = parseList(operand, keyPath, depth, state, parseDocumentClause);
      return { kind: key === "$and" ? "and" : "or", children };
    }
    case "$contains":
    case "$not_contains":
      return {
        kind: key === "$contains" ? "contains" : "not_contains",
        text: expectBoundedText(operand, keyPath, key),
      };
    case "$regex":
    case "$not_regex": {
      const pattern = expectString(operand, keyPath, key);
      checkRegex(pattern, keyPath);
      return { kind: key === "$regex" ? "regex" : "not_regex", pattern };
    }
    case "$matches":
    case "$not_matches":
      return fail(
        keyPath,
        `${key} is not supported: no Chroma server implements it; use $regex / $not_regex`,
      );
    default:
      return fail(keyPath, unknownDocumentKey(key));
  }
}

function parseList<T>(value: unknown, path: string, depth: number, state: ParseState, parse: Parser<T>): T[] {
  if (!Array.isArray(value)) fail(path, `expected an array of clauses, got ${describeValue(value)}`);
  // Checked before walking so that a huge array fails at once instead of after a long loop.
  if (state.nodes + value.length > MAX_FILTER_NODES) tooManyNodes(path);
  const children: T[] = [];
  for (let i = 0; i < value.length; i++) {
    children.push(parse(value[i], `${path}[${i}]`, depth + 1, state));
  }
  return children;
}

function checkRegex(pattern: string, path: string): void {
  try {
    compileRegex(pattern);
  } catch (cause) {
    const reason = cause instanceof CairnError ? cause.message : String(cause);
    throw new InvalidArgumentError("INVALID_FILTER", `${path}: ${reason}`, { cause, details: { path } });
  }
}

// ---------------------------------------------------------------------------------------------------------
// Operand checks

function expectScalar(value: unknown, path: string, what: string): MetadataScalar {
  if (typeof value === "string" || typeof value === "boolean") return value;
  if (typeof value === "number") {
    if (Number.isFinite(value)) return value;
    fail(path, `${what} must be a finite number, got ${describeValue(value)}`);
  }
  return fail(path, `${what} expects a string, number or boolean, got ${describeValue(value)}`);
}

function expectNumber(value: unknown, path: string, op: string): number {
  if (typeof value === "number" && Number.isFinite(value)) return value;
  return fail(path, `${op} expects a number, got ${describeValue(value)}`);
}

function expectString(value: unknown, path: string, op: string): string {
  if (typeof value === "string") return value;
  return fail(path, `${op} expects a string, got ${describeValue(value)}`);
}

function expectBoundedText(value: unknown, path: string, op: string): string {
  const text = expectString(value, path, op);
  if (text.length > MAX_CONTAINS_LENGTH) {
    fail(
      path,
      `${op} text is ${text.length} characters long; at most ${MAX_CONTAINS_LENGTH} are allowed. Search for a distinctive part of it`,
    );
  }
  return text;
}

function expectScalarList(value: unknown, path: string, op: string): MetadataScalar[] {
  const shape = "a non-empty array of strings, numbers or booleans (all of one type)";
  if (!Array.isArray(value)) fail(path, `${op} expects ${shape}, got ${describeValue(value)}`);
  if (value.length === 0) fail(path, `${op} expects ${shape}, got an empty array`);
  const list: MetadataScalar[] = [];
  let firstType: string | undefined;
  for (let i = 0; i < value.length; i++) {
    const itemPath = `${path}.${op}[${i}]`;
    const item = expectScalar(value[i], itemPath, `each element of ${op}`);
    firstType ??= typeof item;
    if (typeof item !== firstType) {
      fail(
        itemPath,
        `${op} values must all have one type: element [0] is a ${firstType}, this is ${describeValue(item)}`,
      );
    }
    list.push(item);
  }
  return list;
}

// ---------------------------------------------------------------------------------------------------------
// Structure checks

function enterNode(path: string, depth: number, state: ParseState): void {
  if (depth > MAX_FILTER_DEPTH) {
    fail(path, `filter is nested deeper than ${MAX_FILTER_DEPTH} levels; flatten nested $and / $or`);
  }
  state.nodes += 1;
  if (state.nodes > MAX_FILTER_NODES) tooManyNodes(path);
}

function tooManyNodes(path: string): never {
  return fail(
    path,
    `filter has more than ${MAX_FILTER_NODES} clauses; use $in / $nin for long value lists or split the query`,
  );
}

/** The one own data property of a plain object, or an error that says what to do instead. */
function singleEntry(value: unknown, path: string, expected: string, manyHint?: string): [string, unknown] {
  if (!isPlainObject(value)) fail(path, `expected ${expected}, got ${describeValue(value)}`);
  const keys = Object.keys(value);
  if (keys.length !== 1) {
    if (keys.length === 0) fail(path, `expected ${expected}, got an empty object`);
    const shown = keys.slice(0, 5).map((k) => JSON.stringify(truncate(k, 40)));
    const list = `${shown.join(", ")}${keys.length > 5 ? ", …" : ""}`;
    fail(
      path,
      `expected exactly one key per object, got ${keys.length} (${list}); ${manyHint ?? "combine clauses with $and"}`,
    );
  }
  const key = keys[0]!;
  const descriptor = Object.getOwnPropertyDescriptor(value, key);
  if (descriptor === undefined || !("value" in descriptor)) {
    fail(childPath(path, key), "accessor properties are not allowed; pass plain data");
  }
  return [key, descriptor.value];
}

// ---------------------------------------------------------------------------------------------------------
// Messages

function fail(path: string, problem: string): never {
  throw new InvalidArgumentError("INVALID_FILTER", `${path}: ${problem}`, { details: { path } });
}

/** `where.year` for identifier-like keys, `where["first name"]` otherwise. */
function childPath(path: string, key: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key)
    ? `${path}.${key}`
    : `${path}[${JSON.stringify(truncate(key, 100))}]`;
}

function unknownTopLevelKey(key: string): string {
  if ((FIELD_OPERATORS as readonly string[]).includes(key)) {
    return `${key} is a field operator and needs a field: write { field: { ${key}: value } }`;
  }
  const hint = didYouMean(key, LOGICAL_OPERATORS);
  return `keys starting with "$" are operators, and only $and / $or may appear here${hint}`;
}

function unknownFieldOperator(op: string): string {
  const valid = `valid operators: ${FIELD_OPERATORS.join(", ")}`;
  if (!op.startsWith("$")) {
    return `expected an operator such as $eq or $gte as key, got ${JSON.stringify(truncate(op, 40))}; metadata values cannot be objects (${valid})`;
  }
  if (op === "$regex" || op === "$not_regex" || op === "$matches" || op === "$not_matches") {
    return `${op} is not a metadata operator; regular expressions filter documents: use whereDocument: { $regex: "…" }`;
  }
  if (op === "$and" || op === "$or") {
    return `${op} combines whole clauses: { ${op}: [{ field: … }, { field: … }] }`;
  }
  return `unknown operator ${JSON.stringify(truncate(op, 40))}${didYouMean(op, FIELD_OPERATORS)} (${valid})`;
}

function unknownDocumentKey(key: string): string {
  const valid = `valid operators: ${DOCUMENT_OPERATORS.join(", ")}`;
  if (!key.startsWith("$")) {
    return `whereDocument filters the document text, not metadata; to filter the field ${JSON.stringify(truncate(key, 40))} use where (${valid})`;
  }
  return `unknown operator ${JSON.stringify(truncate(key, 40))}${didYouMean(key, DOCUMENT_OPERATORS)} (${valid})`;
}

function didYouMean(input: string, candidates: readonly string[]): string {
  const best = closestMatch(input, candidates, { maxDistance: 2, maxLength: 24 });
  return best === undefined ? "" : `; did you mean ${best}?`;
}
