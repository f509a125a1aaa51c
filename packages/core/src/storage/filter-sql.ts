/**
 * Compiles parsed filters to parameterised SQLite. Each result is one SELECT yielding a single column `label`:
 * the set of the collection's records that match. Clauses are label SETS combined with INTERSECT / UNION /
 * EXCEPT, so a field clause is an index seek on `record_metadata (collection_id, key, str|num)` instead of a
 * per-row EXISTS probe. The selected set equals what `filter/evaluate.ts` accepts (property-tested).
 *
 * - The collection id is bound once, in a leading CTE, whatever the nesting and negations.
 * - Negations are set differences: `$and` keeps its positive children minus the union of what its negated
 *   children (`$ne`, `$nin`, `$not_contains`, `$exists: false`) exclude, so they never rescan the collection.
 * - Sibling clauses of one `$and` / `$or` (field clauses even across keys, and document clauses) are merged
 *   into ONE lookup per (operator, value type) driven by a JSON list bound as ONE parameter: `$in` of 100k
 *   values binds one parameter, and a flat 10,000-clause filter stays a handful of table references. That
 *   matters because SQLite's per-statement cursor bookkeeping is quadratic in table references: thousands of
 *   sub-trees that cannot be merged (e.g. an `$or` of 3,000 small `$and`s) take seconds.
 */
import type { DocumentNode, FieldNode, WhereNode } from "../filter/ast";
import type { MetadataScalar } from "../types";

/** A SQL statement and its positional (`?`) parameters, in order. */
export interface SqlFragment {
  /** A SELECT statement (it may start with `WITH`) returning one column named `label`. */
  sql: string;
  /** Values for the `?` placeholders, in order: `db.prepare(sql).all(...params)`. */
  params: unknown[];
}

const SCOPE = "cairn_filter_scope";
const COLLECTION = `(SELECT collection_id FROM ${SCOPE})`;
const ALL_RECORDS = `SELECT label FROM records WHERE collection_id = ${COLLECTION}`;
const NO_RECORDS = "SELECT label FROM records WHERE 0";
const FIELD_ROWS = `FROM record_metadata WHERE collection_id = ${COLLECTION} AND key = ?`;
// Rows matched against a JSON list of clauses `j`: json_each drives, then one index seek per entry.
const LIST_ROWS = `FROM json_each(?) AS j CROSS JOIN record_metadata AS m WHERE m.collection_id = ${COLLECTION}`;
// SQLite refuses compound SELECTs of more than 500 terms (SQLITE_MAX_COMPOUND_SELECT); larger ones are nested.
const MAX_COMPOUND_TERMS = 250;

/**
 * The labels of `collectionId`'s records whose metadata matches a parsed `where` filter.
 * Relies on `record_metadata` rows written by `metadataToRows` (one row per scalar key, one per array element).
 * @example
 * const { sql, params } = whereToSql(parseWhere({ year: { $gte: 2020 } }), collectionId);
 * const labels = db.prepare(sql).pluck().all(...params) as number[];
 */
export function whereToSql(node: WhereNode, collectionId: string): SqlFragment {
  const params: unknown[] = [collectionId];
  const body = compileWhere(node, params);
  return { sql: `WITH ${SCOPE}(collection_id) AS (SELECT ?) ${body}`, params };
}

/**
 * The labels of `collectionId`'s records whose document matches a parsed `whereDocument` filter.
 * `$regex` needs `registerSqlFunctions(db)`; `$contains` of 3+ characters uses the `records_fts` trigram index,
 * so the writer must keep `records_fts` (rowid = label) in step with `records.document`.
 * @example
 * const { sql, params } = whereDocumentToSql(parseWhereDocument({ $contains: "refund" }), collectionId);
 */
export function whereDocumentToSql(node: DocumentNode, collectionId: string): SqlFragment {
  const params: unknown[] = [collectionId];
  const body = compileDocument(node, params);
  return { sql: `WITH ${SCOPE}(collection_id) AS (SELECT ?) ${body}`, params };
}

// Parameters are pushed in the same order as their `?` appear in the emitted text: parts are compiled left to
// right and concatenated left to right.

function compileWhere(node: WhereNode, params: unknown[]): string {
  switch (node.kind) {
    case "and":
      return compileAnd(flatten(node), params);
    case "or":
      return compileOr(flatten(node), params);
    case "field":
      return isNegation(node) ? compileAnd([node], params) : compileOr([node], params);
  }
}

/** `$and`: INTERSECT of the positive children, EXCEPT the UNION of what the negated children exclude. */
function compileAnd(children: readonly WhereNode[], params: unknown[]): string {
  const predicates: Predicate[] = [];
  const others: WhereNode[] = [];
  const excluded: FieldNode[] = [];
  for (const child of children) {
    const predicate = child.kind === "field" ? predicateOf(child) : undefined;
    if (isNegation(child)) excluded.push(positiveOf(child as FieldNode));
    else if (predicate !== undefined && familyOf(predicate.values) !== undefined) predicates.push(predicate);
    else others.push(child);
  }
  const positives = [...allOfSql(predicates, params), ...others.map((child) => compileWhere(child, params))];
  const negatives = excluded.length === 0 ? [] : [compileOr(excluded, params)];
  return andSql(positives, negatives);
}

/**
 * `$or`: UNION of the children. Positive field clauses are merged per operator and value type; negated ones
 * become one set difference (¬a ∨ ¬b = ¬(a ∧ b)).
 */
function compileOr(children: readonly WhereNode[], params: unknown[]): string {
  const predicates: Predicate[] = [];
  const negated: FieldNode[] = [];
  const others: WhereNode[] = [];
  for (const child of children) {
    const predicate = child.kind === "field" ? predicateOf(child) : undefined;
    if (predicate !== undefined) predicates.push(predicate);
    else if (isNegation(child)) negated.push(positiveOf(child as FieldNode));
    else if (child.kind === "field" && child.op === "$exists") predicates.push(...existsOf(child));
    else others.push(child);
  }
  const parts = anyOfSql(predicates, params);
  if (negated.length > 0) parts.push(andSql([], [compileAnd(negated, params)]));
  parts.push(...others.map((child) => compileWhere(child, params)));
  return parts.length === 0 ? NO_RECORDS : combine(parts, "UNION");
}

function compileDocument(node: DocumentNode, params: unknown[]): string {
  switch (node.kind) {
    case "and": {
      const leaves: DocumentLeaf[] = [];
      const others: DocumentNode[] = [];
      const excluded: DocumentLeaf[] = [];
      for (const child of flatten(node)) {
        if (child.kind === "not_contains" || child.kind === "not_regex") excluded.push(child);
        else if (child.kind === "contains" || child.kind === "regex") leaves.push(child);
        else others.push(child);
      }
      const positives = [
        ...groupBy(leaves.map(documentPredicate), (p) => p.kind).map((group) =>
          documentSql(group, "all", params),
        ),
        ...others.map((child) => compileDocument(child, params)),
      ];
      return andSql(positives, excluded.length === 0 ? [] : [anyDocumentSql(excluded, params)]);
    }
    case "or": {
      const children = flatten(node);
      const leaves = children.filter((c): c is DocumentLeaf => c.kind === "contains" || c.kind === "regex");
      const others = children.filter((c) => c.kind !== "contains" && c.kind !== "regex");
      const parts = [
        ...(leaves.length === 0 ? [] : [anyDocumentSql(leaves, params)]),
        ...others.map((child) => compileDocument(child, params)),
      ];
      return parts.length === 0 ? NO_RECORDS : combine(parts, "UNION");
    }
    case "not_contains":
    case "not_regex":
      return andSql([], [anyDocumentSql([node], params)]);
    default:
      return anyDocumentSql([node], params);
  }
}

type DocumentLeaf = Exclude<DocumentNode, { kind: "and" | "or" }>;

/** How a document leaf (or, for a negated leaf, its positive form) is looked up. */
interface DocumentPredicate {
  /** `fts`: trigram index + exact check (3+ code points), `instr`: exact check only, `regex`: RE2. */
  kind: "fts" | "instr" | "regex";
  operand: string;
}

function documentPredicate(leaf: DocumentLeaf): DocumentPredicate {
  if (!("text" in leaf)) return { kind: "regex", operand: leaf.pattern };
  // The trigram index only knows strings of 3+ code points, and its MATCH is a superset test, so the exact
  // `instr` check stays. NUL cannot be expressed in an FTS5 query string, so such texts skip the index.
  const indexable = [...leaf.text].length >= 3 && !leaf.text.includes("\u0000");
  return { kind: indexable ? "fts" : "instr", operand: leaf.text };
}

/** The UNION of what the leaves' positive forms select: one lookup per kind. */
function anyDocumentSql(leaves: readonly DocumentLeaf[], params: unknown[]): string {
  const groups = groupBy(leaves.map(documentPredicate), (p) => p.kind);
  return combine(
    groups.map((group) => documentSql(group, "any", params)),
    "UNION",
  );
}

/**
 * Records matching `any` / `all` of a group of predicates of one kind. One predicate binds its operand; more
 * bind a JSON list that drives the lookup (one table reference whatever the count).
 */
function documentSql(group: readonly DocumentPredicate[], mode: "any" | "all", params: unknown[]): string {
  const { kind } = group[0]!;
  const single = group.length === 1;
  const ftsQuery = (text: string) => `"${text.replaceAll('"', '""')}"`;
  if (single) {
    params.push(...(kind === "fts" ? [ftsQuery(group[0]!.operand)] : []), group[0]!.operand);
  } else {
    const rows = group.map((p) => (kind === "fts" ? [ftsQuery(p.operand), p.operand] : [p.operand]));
    params.push(JSON.stringify(rows));
  }
  const operand = (i: number) => (single ? "?" : `(j.value ->> ${i})`);
  const source = single ? "" : "json_each(?) AS j CROSS JOIN ";
  const match =
    kind === "fts"
      ? `FROM ${source}records_fts CROSS JOIN records ON records.label = records_fts.rowid WHERE records_fts MATCH ${operand(0)} AND instr(records.document, ${operand(1)}) > 0`
      : kind === "instr"
        ? `FROM ${source}records WHERE instr(records.document, ${operand(0)}) > 0`
        : `FROM ${source}records WHERE records.document IS NOT NULL AND cairn_regexp(${operand(0)}, records.document) = 1`;
  const rows = `${match} AND records.collection_id = ${COLLECTION}`;
  if (single) return `SELECT records.label AS label ${rows}`;
  if (mode === "any") return `SELECT DISTINCT records.label AS label ${rows}`;
  params.push(group.length);
  return `SELECT records.label AS label ${rows} GROUP BY records.label HAVING count(DISTINCT j.key) = ?`;
}

/** The positive set minus the excluded set; no positives means the whole collection. */
function andSql(positives: readonly string[], negatives: readonly string[]): string {
  const base = positives.length === 0 ? ALL_RECORDS : combine(positives, "INTERSECT");
  if (negatives.length === 0) return base;
  return `SELECT label FROM (${base}) EXCEPT SELECT label FROM (${combine(negatives, "UNION")})`;
}

/** INTERSECT / UNION of label sets, nested in groups so no compound has more terms than SQLite allows. */
function combine(parts: readonly string[], operator: "INTERSECT" | "UNION"): string {
  let level = parts;
  while (level.length > 1) {
    const next: string[] = [];
    for (let i = 0; i < level.length; i += MAX_COMPOUND_TERMS) {
      const group = level.slice(i, i + MAX_COMPOUND_TERMS);
      next.push(
        group.length === 1 ? group[0]! : group.map((p) => `SELECT label FROM (${p})`).join(` ${operator} `),
      );
    }
    level = next;
  }
  return level[0]!;
}

/** Children of an `$and` / `$or`, with directly nested nodes of the same kind spliced in (fewer subqueries). */
function flatten<T extends { kind: string }>(node: T & { children: T[] }): T[] {
  const out: T[] = [];
  const stack: T[] = [...node.children].reverse();
  while (stack.length > 0) {
    const child = stack.pop()!;
    const grandchildren = (child as { children?: T[] }).children;
    if (child.kind === node.kind && grandchildren !== undefined) {
      for (let i = grandchildren.length - 1; i >= 0; i--) stack.push(grandchildren[i]!);
    } else {
      out.push(child);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Predicates: positive field clauses as "rows of `key` whose value `op` one of `values`".

/** `=` (any of `values`), a comparison, `instr` (substring of a string), or `any` (the key exists). */
type PredicateOp = "=" | ">" | ">=" | "<" | "<=" | "instr" | "any";
type Family = "s" | "n" | "b";

interface Predicate {
  key: string;
  op: PredicateOp;
  values: readonly MetadataScalar[];
  /** 0: scalar values only, 1: array elements only, undefined: both. */
  isArray: 0 | 1 | undefined;
}

const COMPARISONS = { $gt: ">", $gte: ">=", $lt: "<", $lte: "<=" } as const;
const NEGATIONS: Partial<Record<string, FieldNode["op"]>> = {
  $ne: "$eq",
  $nin: "$in",
  $not_contains: "$contains",
};
const FAMILY_TYPES: Record<Family, string> = { s: "= 's'", n: "IN ('i', 'f')", b: "= 'b'" };

function predicateOf(node: FieldNode): Predicate | undefined {
  const { key } = node;
  switch (node.op) {
    case "$eq":
      return { key, op: "=", values: [node.value], isArray: 0 };
    case "$in":
      return { key, op: "=", values: node.value, isArray: 0 };
    case "$contains":
      return { key, op: "=", values: [node.value], isArray: 1 };
    case "$gt":
    case "$gte":
    case "$lt":
    case "$lte":
      return { key, op: COMPARISONS[node.op], values: [node.value], isArray: 0 };
    case "$text_contains":
      return { key, op: "instr", values: [node.value], isArray: undefined };
    default:
      return undefined;
  }
}

/** `$exists: true` as predicates: every row has `str` or `num` set, and each has a partial index. */
function existsOf(node: FieldNode): Predicate[] {
  return [
    { key: node.key, op: "any", values: [""], isArray: undefined },
    { key: node.key, op: "any", values: [0], isArray: undefined },
  ];
}

function isNegation(node: WhereNode): boolean {
  return (
    node.kind === "field" && (Object.hasOwn(NEGATIONS, node.op) || (node.op === "$exists" && !node.value))
  );
}

/** `$ne` → `$eq`, `$nin` → `$in`, `$not_contains` → `$contains`, `$exists: false` → `$exists: true`. */
function positiveOf(node: FieldNode): FieldNode {
  if (node.op === "$exists") return { ...node, value: true };
  return { ...node, op: NEGATIONS[node.op] ?? node.op } as FieldNode;
}

function familyOfValue(value: MetadataScalar): Family {
  return typeof value === "string" ? "s" : typeof value === "number" ? "n" : "b";
}

/** The one value family of a list, or undefined when it mixes types (never produced by the parser). */
function familyOf(values: readonly MetadataScalar[]): Family | undefined {
  const family = values[0] === undefined ? undefined : familyOfValue(values[0]);
  return values.every((v) => familyOfValue(v) === family) ? family : undefined;
}

/** The row condition of a predicate group; `value` is the SQL of the operand, `alias` prefixes columns. */
function condition(
  op: PredicateOp | "IN",
  family: Family,
  isArray: 0 | 1 | undefined,
  value: string,
  alias = "",
): string {
  const column = `${alias}${family === "s" ? "str" : "num"}`;
  if (op === "any") return `${column} IS NOT NULL`;
  const scope = isArray === undefined ? "" : `${alias}is_array = ${isArray} AND `;
  const typed = `${scope}${alias}type ${FAMILY_TYPES[family]}`;
  // `IS NOT NULL` lets SQLite use the partial index on str for a function call.
  if (op === "instr") return `${typed} AND ${column} IS NOT NULL AND instr(${column}, ${value}) > 0`;
  return `${typed} AND ${column} ${op} ${value}`;
}

/** OR of predicates: one SELECT per (operator, isArray, value family) present. */
function anyOfSql(predicates: readonly Predicate[], params: unknown[]): string[] {
  const items = predicates.flatMap((p) =>
    p.values.map((value) => ({ ...p, value, family: familyOfValue(value) })),
  );
  return groupBy(items, (i) => `${i.op}|${i.isArray}|${i.family}`).map((group) => {
    const { op, isArray, family, key, value } = group[0]!;
    if (group.every((item) => item.key === key)) {
      // Scalars have one row per record and key; array elements and `any` may have several.
      const distinct = isArray === 0 && op !== "any" ? "" : "DISTINCT ";
      const select = `SELECT ${distinct}label ${FIELD_ROWS} AND`;
      if (group.length === 1) {
        params.push(key);
        // Booleans are stored as 1 / 0.
        if (op !== "any") params.push(typeof value === "boolean" ? Number(value) : value);
        return `${select} ${condition(op, family, isArray, "?")}`;
      }
      if (op === "=") {
        // One parameter whatever the list's length: no SQLite variable limit on `$in`.
        params.push(key, jsonArray(group.map((item) => jsonValue(item.value))));
        return `${select} ${condition("IN", family, isArray, "(SELECT value FROM json_each(?))")}`;
      }
    }
    params.push(jsonArray(group.map((item) => jsonArray([JSON.stringify(item.key), jsonValue(item.value)]))));
    const match = condition(op, family, isArray, "(j.value ->> 1)", "m.");
    return `SELECT DISTINCT m.label ${LIST_ROWS} AND m.key = j.value ->> 0 AND ${match}`;
  });
}

/** AND of single-family predicates: per (operator, isArray, family), the labels matching all of them. */
function allOfSql(predicates: readonly Predicate[], params: unknown[]): string[] {
  return groupBy(predicates, (p) => `${p.op}|${p.isArray}|${familyOf(p.values)}`).map((group) => {
    if (group.length === 1) return combine(anyOfSql(group, params), "UNION");
    const { op, isArray, values } = group[0]!;
    const rows = group.flatMap((p, clause) =>
      p.values.map((value) => jsonArray([String(clause), JSON.stringify(p.key), jsonValue(value)])),
    );
    params.push(jsonArray(rows), group.length);
    const match = condition(op, familyOf(values)!, isArray, "(j.value ->> 2)", "m.");
    return (
      `SELECT m.label ${LIST_ROWS} AND m.key = j.value ->> 1 AND ${match} ` +
      "GROUP BY m.label HAVING count(DISTINCT j.value ->> 0) = ?"
    );
  });
}

/** Items grouped by a computed id, groups in first-seen order. */
function groupBy<T>(items: readonly T[], id: (item: T) => string): T[][] {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const group = groups.get(id(item));
    if (group === undefined) groups.set(id(item), [item]);
    else group.push(item);
  }
  return [...groups.values()];
}

/**
 * A scalar as JSON that SQLite reads back exactly. Integers beyond 2^53 are written in exponent form: as plain
 * digits SQLite would read them as exact 64-bit integers, which differ from the doubles JS holds.
 */
function jsonValue(value: MetadataScalar): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "boolean") return value ? "1" : "0";
  return Number.isSafeInteger(value) ? String(value) : value.toExponential();
}

function jsonArray(items: readonly string[]): string {
  return `[${items.join(",")}]`;
}
