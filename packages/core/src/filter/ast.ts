/**
 * Typed ASTs for `where` and `whereDocument`. The parser produces them once; storage compiles them to SQL,
 * and the reference evaluator (tests, exact scans) interprets them. No SQL here.
 */
import type { MetadataScalar, WhereOperator } from "../types";

/** Comparison on one metadata key: the public `where` operators (one list, in types.ts). */
export type FieldOp = WhereOperator;

/** A node of a parsed `where` filter. */
export type WhereNode =
  | { kind: "and"; children: WhereNode[] }
  | { kind: "or"; children: WhereNode[] }
  | { kind: "field"; key: string; op: "$eq" | "$ne" | "$contains" | "$not_contains"; value: MetadataScalar }
  | { kind: "field"; key: string; op: "$gt" | "$gte" | "$lt" | "$lte"; value: number }
  | { kind: "field"; key: string; op: "$in" | "$nin"; value: MetadataScalar[] }
  | { kind: "field"; key: string; op: "$text_contains"; value: string }
  | { kind: "field"; key: string; op: "$exists"; value: boolean };

/** A field clause of any operator. */
export type FieldNode = Extract<WhereNode, { kind: "field" }>;

/** A node of a parsed `whereDocument` filter. */
export type DocumentNode =
  | { kind: "and"; children: DocumentNode[] }
  | { kind: "or"; children: DocumentNode[] }
  | { kind: "contains" | "not_contains"; text: string }
  | { kind: "regex" | "not_regex"; pattern: string };
