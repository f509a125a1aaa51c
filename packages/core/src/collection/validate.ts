/**
 * Validation of every collection verb's options, pure and complete: the whole batch is checked before
 * anything is embedded or written. Unknown option keys are rejected with a "did you mean" hint.
 */
import { expectOptionsObject, rejectUnknownKeys } from "../config";
import { describeValue } from "../internal";
import { invalidArgument } from "../errors";
import { type DocumentNode, parseWhere, parseWhereDocument, type WhereNode } from "../filter";
import type { IncludeField, MetadataValue, Where, WhereDocument } from "../types";
import {
  expectArray,
  expectWellFormed,
  validateCount,
  validateIds,
  validateMetadata,
  validateVectors,
  validateVectorsWithHoles,
} from "./validate-values";
import { DEFAULT_WRITE_POLICY, type WritePolicy } from "../engine";

/**
 * A validated write. Arrays are aligned with `ids`. `embeddings` has `null` entries only in an update (keep
 * that record's vector, or embed its new document).
 */
export interface ValidatedWrite {
  ids: string[];
  embeddings?: (Float32Array | null)[] | undefined;
  documents?: (string | null)[] | undefined;
  metadatas?: (Record<string, MetadataValue | null> | null)[] | undefined;
  uris?: (string | null)[] | undefined;
}

/** A validated filter: the user's object (for the wire) and its AST (for the engine). */
export interface ValidatedSelection {
  ids?: string[] | undefined;
  where?: { raw: Where; ast: WhereNode } | undefined;
  whereDocument?: { raw: WhereDocument; ast: DocumentNode } | undefined;
}

const WRITE_KEYS = ["ids", "embeddings", "documents", "metadatas", "uris"] as const;

function optionalStrings(
  value: unknown,
  path: string,
  length: number,
  what: string,
): (string | null)[] | undefined {
  if (value === undefined || value === null) return undefined;
  const items = expectArray(value, path);
  if (items.length !== length)
    throw invalidArgument(path, `expected ${length} ${what} (one per id), got ${items.length}`);
  return items.map((item, i) => {
    if (item === null || item === undefined) return null;
    if (typeof item !== "string")
      throw invalidArgument(`${path}[${i}]`, `expected a string or null, got ${typeof item}`);
    expectWellFormed(item, `${path}[${i}]`);
    return item;
  });
}

/**
 * Validates `add` / `upsert` / `update` options.
 * `add`/`upsert` need vectors for every record: `embeddings`, or `documents` for the embedding function.
 */
export function validateWrite(input: unknown, verb: "add" | "upsert" | "update"): ValidatedWrite {
  const options = expectOptionsObject(input, verb);
  rejectUnknownKeys(options, WRITE_KEYS, verb);
  const ids = validateIds(options.ids);
  const n = ids.length;
  let embeddings: (Float32Array | null)[] | undefined;
  if (options.embeddings !== undefined && options.embeddings !== null) {
    embeddings =
      verb === "update"
        ? validateVectorsWithHoles(options.embeddings, "embeddings")
        : validateVectors(options.embeddings, "embeddings");
    if (embeddings.length !== n)
      throw invalidArgument("embeddings", `expected ${n} vectors (one per id), got ${embeddings.length}`);
  }
  const documents = optionalStrings(options.documents, "documents", n, "documents");
  const uris = optionalStrings(options.uris, "uris", n, "uris");
  let metadatas: ValidatedWrite["metadatas"];
  if (options.metadatas !== undefined && options.metadatas !== null) {
    const items = expectArray(options.metadatas, "metadatas");
    if (items.length !== n)
      throw invalidArgument("metadatas", `expected ${n} metadata objects (one per id), got ${items.length}`);
    metadatas = items.map((m, i) => validateMetadata(m, `metadatas[${i}]`, verb !== "add"));
  }
  if (verb !== "update" && !embeddings && n > 0) {
    if (!documents) {
      throw invalidArgument(
        verb,
        "give `embeddings`, or `documents` for the collection's embedding function to embed",
      );
    }
    const missing = documents.findIndex((d) => d === null);
    if (missing >= 0) {
      throw invalidArgument(
        `documents[${missing}]`,
        "is null, but no embeddings were given: every record needs a document to embed",
      );
    }
  }
  return { ids, embeddings, documents, metadatas, uris };
}

const POLICY_CHOICES = {
  add: { key: "onDuplicate", values: ["error", "ignore"] },
  upsert: { key: "metadata", values: ["merge", "replace"] },
} as const;

/**
 * Validates the second argument of `add` (`{ onDuplicate }`) or `upsert` (`{ metadata }`) into a complete
 * write policy (defaults for what is not given). Unknown keys are rejected like everywhere else.
 */
export function validateWritePolicy(input: unknown, verb: "add" | "upsert" | "update"): WritePolicy {
  const policy: WritePolicy = { ...DEFAULT_WRITE_POLICY };
  if (input === undefined || verb === "update") return policy;
  const path = `${verb}() options`;
  const options = expectOptionsObject(input, path);
  const { key, values } = POLICY_CHOICES[verb];
  rejectUnknownKeys(options, [key], path);
  const value = options[key];
  if (value === undefined) return policy;
  if (typeof value !== "string" || !(values as readonly string[]).includes(value)) {
    throw invalidArgument(
      `${path}.${key}`,
      `expected ${values.map((v) => JSON.stringify(v)).join(" or ")}, got ${describeValue(value)}`,
    );
  }
  return { ...policy, [key]: value };
}

const INCLUDE_ALL: readonly IncludeField[] = ["documents", "embeddings", "metadatas", "distances", "uris"];

/** Validates `include`; `distances` only where `allowDistances` (query). */
export function validateInclude(
  value: unknown,
  fallback: IncludeField[],
  allowDistances: boolean,
): IncludeField[] {
  if (value === undefined || value === null) return fallback;
  const items = expectArray(value, "include");
  return items.map((item, i) => {
    if (typeof item !== "string" || !INCLUDE_ALL.includes(item as IncludeField)) {
      throw invalidArgument(
        `include[${i}]`,
        `expected one of ${INCLUDE_ALL.join(", ")}, got ${describeValue(item)}`,
      );
    }
    if (item === "distances" && !allowDistances) {
      throw invalidArgument(`include[${i}]`, "distances are only available from query()");
    }
    return item as IncludeField;
  });
}

/** Validates the `ids` / `where` / `whereDocument` part of get, query and delete. */
export function validateSelection(options: Record<string, unknown>): ValidatedSelection {
  const selection: ValidatedSelection = {};
  if (options.ids !== undefined && options.ids !== null) {
    selection.ids = typeof options.ids === "string" ? validateIds([options.ids]) : validateIds(options.ids);
  }
  if (options.where !== undefined && options.where !== null) {
    selection.where = { raw: options.where as Where, ast: parseWhere(options.where) };
  }
  if (options.whereDocument !== undefined && options.whereDocument !== null) {
    selection.whereDocument = {
      raw: options.whereDocument as WhereDocument,
      ast: parseWhereDocument(options.whereDocument),
    };
  }
  return selection;
}

/** Validated `get` options. */
export interface ValidatedGet {
  selection: ValidatedSelection;
  limit?: number | undefined;
  offset?: number | undefined;
  include: IncludeField[];
}

/** Validates `get` options (all optional). */
export function validateGet(input: unknown): ValidatedGet {
  const options = input === undefined ? {} : expectOptionsObject(input, "get");
  rejectUnknownKeys(options, ["ids", "where", "whereDocument", "limit", "offset", "include"], "get");
  return {
    selection: validateSelection(options),
    limit: options.limit == null ? undefined : validateCount(options.limit, "limit"),
    offset: options.offset == null ? undefined : validateCount(options.offset, "offset"),
    include: validateInclude(options.include, ["documents", "metadatas"], false),
  };
}

/** Validated `query` options: either vectors or texts. */
export interface ValidatedQuery {
  queryEmbeddings?: Float32Array[] | undefined;
  queryTexts?: string[] | undefined;
  nResults: number;
  selection: ValidatedSelection;
  include: IncludeField[];
}

/** Validates `query` options. A single vector or a single text is accepted as a batch of one. */
export function validateQuery(input: unknown): ValidatedQuery {
  const options = expectOptionsObject(input, "query");
  rejectUnknownKeys(
    options,
    ["queryEmbeddings", "queryTexts", "nResults", "where", "whereDocument", "ids", "include"],
    "query",
  );
  const hasVectors = options.queryEmbeddings !== undefined && options.queryEmbeddings !== null;
  const hasTexts = options.queryTexts !== undefined && options.queryTexts !== null;
  if (hasVectors === hasTexts)
    throw invalidArgument("query", "give exactly one of `queryEmbeddings` and `queryTexts`");
  let queryEmbeddings: Float32Array[] | undefined;
  let queryTexts: string[] | undefined;
  if (hasVectors) {
    const raw = options.queryEmbeddings as unknown[];
    const single = (Array.isArray(raw) && typeof raw[0] === "number") || raw instanceof Float32Array;
    queryEmbeddings = validateVectors(single ? [raw] : raw, "queryEmbeddings");
  } else {
    const raw =
      typeof options.queryTexts === "string"
        ? [options.queryTexts]
        : expectArray(options.queryTexts, "queryTexts");
    raw.forEach((t, i) => {
      if (typeof t !== "string")
        throw invalidArgument(`queryTexts[${i}]`, `expected a string, got ${typeof t}`);
    });
    queryTexts = raw as string[];
  }
  return {
    queryEmbeddings,
    queryTexts,
    nResults: options.nResults == null ? 10 : validateCount(options.nResults, "nResults"),
    selection: validateSelection(options),
    include: validateInclude(options.include, ["metadatas", "documents", "distances"], true),
  };
}

/** Validated `delete` options. */
export interface ValidatedDelete {
  selection: ValidatedSelection;
  limit?: number | undefined;
}

/** Validates `delete` options. `{}` deletes nothing; `limit` needs a `where` or `whereDocument`. */
export function validateDelete(input: unknown): ValidatedDelete {
  const options = input === undefined ? {} : expectOptionsObject(input, "delete");
  rejectUnknownKeys(options, ["ids", "where", "whereDocument", "limit"], "delete");
  const selection = validateSelection(options);
  let limit: number | undefined;
  if (options.limit != null) {
    limit = validateCount(options.limit, "limit");
    if (!selection.where && !selection.whereDocument)
      throw invalidArgument("limit", "needs a `where` or `whereDocument` filter");
  }
  return { selection, limit };
}
