/**
 * Filters: `where` / `whereDocument` → typed AST (`parse`), the reference evaluator (`evaluate`) and the
 * bounded regex engine shared with storage's SQL function. No SQL here; storage compiles the AST.
 */
export type { DocumentNode, FieldNode, FieldOp, WhereNode } from "./ast";
export { evaluateWhere, evaluateWhereDocument } from "./evaluate";
export { MAX_FILTER_DEPTH, MAX_FILTER_NODES, parseWhere, parseWhereDocument } from "./parse";
export { type CompiledRegex, compileRegex, REGEX_CACHE_SIZE } from "./regex";
