/**
 * Parsed `where` / `whereDocument` filters (core's ASTs) compiled to parameterised SQL over one records table:
 * metadata in a `jsonb` column (`metadata`, `{}` for none), documents in `document`. Every value is a
 * parameter; nothing from the caller is spliced into the SQL text. The SQL selects exactly the records core's
 * reference evaluator (`evaluateWhere` / `evaluateWhereDocument`) accepts; the shared conformance suite and a
 * property test check it.
 *
 * Index use: `$eq`, `$ne`, small `$in`, `$contains`, `$not_contains` and `$exists` are jsonb containment /
 * key tests the GIN index on `metadata` answers; document `$contains` is a `LIKE` the pg_trgm GIN index
 * answers (case-sensitive, like Chroma). Range operators evaluate per candidate row.
 */
import type { DocumentNode, MetadataScalar, WhereNode } from "@cairndb/core";
import { containsPattern, type Params } from "./sql";

/** `$in` lists up to this size become ORs of containment tests (GIN-indexable); longer ones a set lookup. */
const SMALL_IN = 32;

type FieldNode = Extract<WhereNode, { kind: "field" }>;

const contains = (p: Params, key: string, value: unknown): string =>
  `metadata @> ${p.add(JSON.stringify({ [key]: value }))}::jsonb`;

function inList(p: Params, key: string, values: readonly MetadataScalar[]): string {
  if (values.length <= SMALL_IN) return `(${values.map((v) => contains(p, key, v)).join(" OR ")})`;
  // A scalar equals a listed value (jsonb equality: type-strict, numbers numerically); arrays never do.
  return `COALESCE((metadata -> ${p.add(key)}) IN (SELECT jsonb_array_elements(${p.add(JSON.stringify(values))}::jsonb)), false)`;
}

/** Whether a filter value holds a NUL character, which no stored text can (PostgreSQL text refuses it). */
const hasNul = (value: unknown): boolean => typeof value === "string" && value.includes("\u0000");

function field(p: Params, node: FieldNode): string {
  const { key } = node;
  if (node.op === "$in" || node.op === "$nin") {
    const values = node.value.filter((v) => !hasNul(v));
    if (values.length === 0) return node.op === "$in" ? "FALSE" : "TRUE";
    if (values.length < node.value.length) return field(p, { ...node, value: values });
  } else if (hasNul(node.value)) {
    // Nothing stored equals or contains it: the positive operators match nothing, their negations everything.
    return ["$ne", "$not_contains"].includes(node.op) ? "TRUE" : "FALSE";
  }
  switch (node.op) {
    case "$eq":
      // `{"k": v}` is contained only by a scalar equal to v: containment never matches an array with a scalar.
      return contains(p, key, node.value);
    case "$ne":
      return `NOT (${contains(p, key, node.value)})`;
    case "$in":
      return inList(p, key, node.value);
    case "$nin":
      return `NOT ${inList(p, key, node.value)}`;
    case "$gt":
    case "$gte":
    case "$lt":
    case "$lte": {
      const op = { $gt: ">", $gte: ">=", $lt: "<", $lte: "<=" }[node.op];
      const k = p.add(key);
      // CASE, not AND: Postgres does not promise to evaluate the type test before the cast.
      return `(CASE WHEN jsonb_typeof(metadata -> ${k}) = 'number' THEN (metadata -> ${k})::numeric ${op} ${p.add(String(node.value))}::numeric ELSE false END)`;
    }
    case "$contains":
      return contains(p, key, [node.value]);
    case "$not_contains":
      return `NOT (${contains(p, key, [node.value])})`;
    case "$text_contains": {
      const k = p.add(key);
      const t = p.add(node.value);
      return (
        `(CASE jsonb_typeof(metadata -> ${k}) WHEN 'string' THEN strpos(metadata ->> ${k}, ${t}) > 0 ` +
        `WHEN 'array' THEN EXISTS (SELECT 1 FROM jsonb_array_elements(metadata -> ${k}) AS e ` +
        `WHERE jsonb_typeof(e) = 'string' AND strpos(e #>> '{}', ${t}) > 0) ELSE false END)`
      );
    }
    case "$exists":
      return node.value ? `(metadata ? ${p.add(key)})` : `NOT (metadata ? ${p.add(key)})`;
  }
}

/** Compiles a parsed `where` filter to a boolean SQL expression (never NULL). */
export function whereToSql(node: WhereNode, p: Params): string {
  switch (node.kind) {
    case "and":
      return node.children.length === 0
        ? "TRUE"
        : `(${node.children.map((c) => whereToSql(c, p)).join(" AND ")})`;
    case "or":
      return node.children.length === 0
        ? "FALSE"
        : `(${node.children.map((c) => whereToSql(c, p)).join(" OR ")})`;
    case "field":
      return field(p, node);
  }
}

/** Compiles a parsed `whereDocument` filter to a boolean SQL expression (never NULL). */
export function whereDocumentToSql(node: DocumentNode, p: Params): string {
  switch (node.kind) {
    case "and":
      return node.children.length === 0
        ? "TRUE"
        : `(${node.children.map((c) => whereDocumentToSql(c, p)).join(" AND ")})`;
    case "or":
      return node.children.length === 0
        ? "FALSE"
        : `(${node.children.map((c) => whereDocumentToSql(c, p)).join(" OR ")})`;
    case "contains":
      if (hasNul(node.text)) return "FALSE";
      return `(document IS NOT NULL AND document LIKE ${p.add(containsPattern(node.text))})`;
    case "not_contains":
      if (hasNul(node.text)) return "TRUE";
      return `(document IS NULL OR document NOT LIKE ${p.add(containsPattern(node.text))})`;
    case "regex":
      return `(document IS NOT NULL AND document ~ ${p.add(toPostgresRegex(node.pattern))})`;
    case "not_regex":
      return `(document IS NULL OR document !~ ${p.add(toPostgresRegex(node.pattern))})`;
  }
}

/** Whether a filter uses a regular expression (those reads run under a statement timeout). */
export function usesRegex(node: DocumentNode | undefined): boolean {
  if (!node) return false;
  if (node.kind === "regex" || node.kind === "not_regex") return true;
  return (node.kind === "and" || node.kind === "or") && node.children.some(usesRegex);
}

/**
 * Rewrites the RE2 escapes whose meaning differs in Postgres' regular expressions: `\b` / `\B` (word
 * boundary; a backspace in Postgres) become `\y` / `\Y`, `\z` (end of text) becomes `\Z`. Everything else is
 * passed as written; core's parser has already checked the pattern is valid RE2.
 */
export function toPostgresRegex(pattern: string): string {
  let out = "";
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === "\\" && i + 1 < pattern.length) {
      const next = pattern[++i]!;
      if (!inClass && next === "b") out += "\\y";
      else if (!inClass && next === "B") out += "\\Y";
      else if (!inClass && next === "z") out += "\\Z";
      else out += c + next;
      continue;
    }
    if (c === "[" && !inClass) inClass = true;
    else if (c === "]" && inClass) inClass = false;
    out += c;
  }
  return out;
}
