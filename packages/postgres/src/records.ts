/**
 * Record operations on a collection's records table: the write path (dimension, existence rules, metadata
 * merge in SQL), get, delete and the nearest-neighbour query. The rules and messages are the embedded
 * engine's (`DUPLICATE_ID`, `NOT_FOUND`, `DIMENSION_MISMATCH`).
 */
import {
  type ClientBackend,
  type CollectionConfig,
  ConflictError,
  DimensionMismatchError,
  type GetColumns,
  type IncludeField,
  type Metadata,
  NotFoundError,
  type QueryColumns,
  type Space,
  type WritePolicy,
} from "@cairndb/core";
import type { Queryable } from "./driver";
import { usesRegex, whereDocumentToSql, whereToSql } from "./filter-sql";
import type { CollectionRow, Tables } from "./namespace";
import { Params, parseVector, quoteIdent, vectorLiteral } from "./sql";

/** A validated, embedded write batch (what core's Collection hands a backend). */
export type WriteBatch = Parameters<ClientBackend["write"]>[2];
/** A validated selection: ids, parsed `where` and `whereDocument`. */
export type Selection = Parameters<ClientBackend["get"]>[1];
type WriteMode = Parameters<ClientBackend["write"]>[1];

/** pgvector's HNSW limit for `vector` columns: wider collections are searched by exact scan. */
export const MAX_INDEXED_DIMENSION = 2000;

/** Per space: HNSW operator class, index-ordered operator, and the exact distance as Cairn reports it. */
export const SPACES: Record<
  Space,
  { ops: string; operator: string; distance: (a: string, b: string) => string }
> = {
  // Cairn's l2 is the SQUARED distance; pgvector's `<->` is the plain one (same order).
  l2: { ops: "vector_l2_ops", operator: "<->", distance: (a, b) => `vector_l2_squared_distance(${a}, ${b})` },
  cosine: { ops: "vector_cosine_ops", operator: "<=>", distance: (a, b) => `cosine_distance(${a}, ${b})` },
  // Chroma's ip is 1 - dot; pgvector's `<#>` is -dot (same order).
  ip: { ops: "vector_ip_ops", operator: "<#>", distance: (a, b) => `(1 - inner_product(${a}, ${b}))` },
};

const listIds = (ids: string[]): string =>
  ids
    .slice(0, 10)
    .map((id) => JSON.stringify(id))
    .join(", ") + (ids.length > 10 ? ` and ${ids.length - 10} more` : "");

/** The first write fixes the dimension; every vector must then have it (same message as the engine). */
function checkDimension(name: string, dimension: number | null, batch: WriteBatch): number | null {
  let expected = dimension;
  for (const [i, vector] of (batch.embeddings ?? []).entries()) {
    if (!vector) continue;
    if (expected === null) expected = vector.length;
    else if (vector.length !== expected) {
      throw new DimensionMismatchError(
        "DIMENSION_MISMATCH",
        `embeddings[${i}]: collection '${name}' expects vectors of dimension ${expected}, got ${vector.length}. ` +
          "Use the same embedding model the collection was created with, or create a new collection.",
        { details: { path: `embeddings[${i}]`, expected, got: vector.length } },
      );
    }
  }
  return expected;
}

function checkExistence(
  mode: WriteMode,
  policy: WritePolicy,
  ids: string[],
  existing: Set<string>,
  name: string,
) {
  if (mode === "add" && policy.onDuplicate === "error") {
    const dup = ids.filter((id) => existing.has(id));
    if (dup.length > 0) throw duplicateIds(name, dup);
  } else if (mode === "update") {
    const missing = ids.filter((id) => !existing.has(id));
    if (missing.length > 0) {
      throw new NotFoundError(
        "NOT_FOUND",
        `ids: ${missing.length} id(s) do not exist in collection '${name}': ${listIds(missing)}. Nothing was written. Use upsert() to create missing records.`,
        { details: { ids: missing.slice(0, 100) } },
      );
    }
  }
}

/** The `DUPLICATE_ID` error of an add (also raised when a unique violation slips past the check). */
export function duplicateIds(name: string, dup: string[]): ConflictError {
  return new ConflictError(
    "DUPLICATE_ID",
    dup.length > 0
      ? `ids: ${dup.length} id(s) already exist in collection '${name}': ${listIds(dup)}. Nothing was written. Use upsert() to overwrite existing records.`
      : `ids: some ids already exist in collection '${name}'. Nothing was written. Use upsert() to overwrite existing records.`,
    { details: { ids: dup.slice(0, 100) } },
  );
}

/** Fixes a new collection's dimension: types the vector column and builds the HNSW index in its space. */
async function fixDimension(db: Queryable, t: Tables, row: CollectionRow, dimension: number): Promise<void> {
  const table = t.records(row.id);
  const config = JSON.parse(row.config) as CollectionConfig;
  await db.query(`ALTER TABLE ${table} ALTER COLUMN embedding TYPE vector(${dimension})`);
  if (dimension <= MAX_INDEXED_DIMENSION) {
    const { max_neighbors: m, ef_construction: ef, space } = config.hnsw;
    await db.query(
      `CREATE INDEX ${quoteIdent(`${t.recordsName(row.id)}_hnsw`)} ON ${table} USING hnsw (embedding ${SPACES[space].ops}) ` +
        `WITH (m = ${Math.max(2, Math.min(100, m | 0))}, ef_construction = ${Math.max(4, Math.min(1000, ef | 0))})`,
    );
  }
  await db.query(`UPDATE ${t.collections} SET dimension = $2 WHERE id = $1`, [row.id, dimension]);
}

/**
 * Writes a batch; call inside a transaction that has locked the collection row (`FOR UPDATE`): writers of one
 * collection queue on that lock, so the existence check below sees every committed write and two adds of one
 * id cannot both succeed. Every check runs before the first row is written.
 */
export async function writeRecords(
  db: Queryable,
  t: Tables,
  row: CollectionRow,
  mode: WriteMode,
  batch: WriteBatch,
  policy: WritePolicy,
): Promise<void> {
  const dimension = checkDimension(row.name, row.dimension, batch);
  const table = t.records(row.id);
  const { rows: found } = await db.query<{ id: string }>(
    `SELECT id FROM ${table} WHERE id IN (SELECT jsonb_array_elements_text($1::jsonb))`,
    [JSON.stringify(batch.ids)],
  );
  const existing = new Set(found.map((r) => r.id));
  checkExistence(mode, policy, batch.ids, existing, row.name);
  const fresh: unknown[] = [];
  const changed: unknown[] = [];
  batch.ids.forEach((id, i) => {
    const vector = batch.embeddings?.[i];
    const item = {
      id,
      e: vector ? vectorLiteral(vector) : null,
      d: batch.documents?.[i] ?? null,
      u: batch.uris?.[i] ?? null,
      m: batch.metadatas?.[i] ?? null,
    };
    if (!existing.has(id)) fresh.push(item);
    else if (mode !== "add") changed.push(item);
  });
  if (fresh.length === 0 && changed.length === 0) return;
  if (dimension !== null && dimension !== row.dimension) await fixDimension(db, t, row, dimension);
  // The batch is one jsonb parameter (no limit on the number of bind parameters), one element per record.
  const items =
    "(SELECT a.n, a.j ->> 'id' AS id, a.j ->> 'e' AS e, a.j ->> 'd' AS d, a.j ->> 'u' AS u, " +
    "NULLIF(a.j -> 'm', 'null'::jsonb) AS m FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS a(j, n)) AS x";
  if (fresh.length > 0) {
    // Validation guarantees a vector for every new record. Rows are inserted in batch order (labels ascend).
    await db.query(
      `INSERT INTO ${table} (id, embedding, document, uri, metadata) ` +
        `SELECT x.id, x.e::vector, x.d, x.u, jsonb_strip_nulls(COALESCE(x.m, '{}')) FROM ${items} ORDER BY x.n`,
      [JSON.stringify(fresh)],
    );
  }
  if (changed.length > 0) {
    const replace = mode === "upsert" && policy.metadata === "replace";
    // Merge in SQL, on the row as stored now: given keys overwrite, null deletes a key, absent keys stay.
    const metadata = replace
      ? "jsonb_strip_nulls(COALESCE(x.m, '{}'))"
      : "CASE WHEN x.m IS NULL THEN r.metadata ELSE jsonb_strip_nulls(r.metadata || x.m) END";
    await db.query(
      `UPDATE ${table} AS r SET embedding = COALESCE(x.e::vector, r.embedding), document = COALESCE(x.d, r.document), ` +
        `uri = COALESCE(x.u, r.uri), metadata = ${metadata} FROM ${items} WHERE r.id = x.id`,
      [JSON.stringify(changed)],
    );
  }
}

/** The SQL condition of a selection (TRUE for none). */
export function selectionSql(selection: Selection, p: Params): string {
  const parts: string[] = [];
  if (selection.ids !== undefined)
    parts.push(`id IN (SELECT jsonb_array_elements_text(${p.add(JSON.stringify(selection.ids))}::jsonb))`);
  if (selection.where) parts.push(whereToSql(selection.where.ast, p));
  if (selection.whereDocument) parts.push(whereDocumentToSql(selection.whereDocument.ast, p));
  return parts.length === 0 ? "TRUE" : parts.join(" AND ");
}

/** Whether a selection runs a regular expression (the read then runs under a statement timeout). */
export const selectionUsesRegex = (selection: Selection): boolean => usesRegex(selection.whereDocument?.ast);

interface RecordRow {
  id: string;
  document?: string | null;
  metadata?: Metadata;
  embedding?: string;
  uri?: string | null;
  distance?: number;
}

const columnsFor = (include: IncludeField[]): string[] => {
  const cols = ["id"];
  if (include.includes("documents")) cols.push("document");
  if (include.includes("metadatas")) cols.push("metadata");
  if (include.includes("embeddings")) cols.push("embedding::text AS embedding");
  if (include.includes("uris")) cols.push("uri");
  return cols;
};

const metadataOf = (m: Metadata | undefined): Metadata | null => (m && Object.keys(m).length > 0 ? m : null);

/** Selected records in insertion order, column-wise (excluded fields `[]`). */
export async function getRecords(
  db: Queryable,
  t: Tables,
  row: CollectionRow,
  selection: Selection,
  page: { limit?: number | undefined; offset?: number | undefined },
  include: IncludeField[],
): Promise<GetColumns> {
  const p = new Params();
  const where = selectionSql(selection, p);
  let sql = `SELECT ${columnsFor(include).join(", ")} FROM ${t.records(row.id)} WHERE ${where} ORDER BY label`;
  if (page.limit !== undefined) sql += ` LIMIT ${p.add(page.limit)}`;
  if (page.offset !== undefined && page.offset > 0) sql += ` OFFSET ${p.add(page.offset)}`;
  const { rows } = await db.query<RecordRow>(sql, p.values);
  return {
    ids: rows.map((r) => r.id),
    documents: include.includes("documents") ? rows.map((r) => r.document ?? null) : [],
    metadatas: include.includes("metadatas") ? rows.map((r) => metadataOf(r.metadata)) : [],
    embeddings: include.includes("embeddings") ? rows.map((r) => parseVector(r.embedding!)) : [],
    uris: include.includes("uris") ? rows.map((r) => r.uri ?? null) : [],
  };
}

/** Deletes the selected records (the first `limit` in insertion order); returns how many. */
export async function deleteRecords(
  db: Queryable,
  t: Tables,
  row: CollectionRow,
  selection: Selection,
  limit: number | undefined,
): Promise<number> {
  const p = new Params();
  const table = t.records(row.id);
  const where = selectionSql(selection, p);
  const sql =
    limit === undefined
      ? `DELETE FROM ${table} WHERE ${where}`
      : `DELETE FROM ${table} WHERE label IN (SELECT label FROM ${table} WHERE ${where} ORDER BY label LIMIT ${p.add(limit)})`;
  const r = await db.query(sql, p.values);
  return r.rowCount ?? 0;
}

/** Tuning of the query path. */
export interface QueryTuning {
  /**
   * A filtered query whose filter matches at most this many records is answered by an exact scan of them;
   * above it, by the HNSW index with iterative scanning (pgvector ≥ 0.8).
   */
  exactThreshold: number;
  /** Whether the server's pgvector has iterative index scans (`hnsw.iterative_scan`, pgvector ≥ 0.8). */
  iterativeScan: boolean;
}

/** pgvector's upper bound of `hnsw.ef_search`. */
const MAX_EF_SEARCH = 1000;

/**
 * Nearest neighbours of each vector among the selected records; call inside one read transaction. Unfiltered
 * queries use the HNSW index with the collection's `ef_search`; filtered ones scan the allowed records
 * exactly when there are at most `exactThreshold` of them, else use the index with iterative scans, and fall
 * back to an exact scan if the index returned fewer than `k` hits while more records match.
 */
export async function queryRecords(
  db: Queryable,
  t: Tables,
  row: CollectionRow,
  vectors: Float32Array[],
  k: number,
  selection: Selection,
  include: IncludeField[],
  tuning: QueryTuning,
): Promise<QueryColumns> {
  for (const [i, vector] of vectors.entries()) {
    if (row.dimension !== null && vector.length !== row.dimension) {
      throw new DimensionMismatchError(
        "DIMENSION_MISMATCH",
        `queryEmbeddings[${i}]: collection '${row.name}' expects vectors of dimension ${row.dimension}, got ${vector.length}. Query with the embedding model the collection was built with.`,
        { details: { path: `queryEmbeddings[${i}]`, expected: row.dimension, got: vector.length } },
      );
    }
  }
  const out: QueryColumns = {
    ids: [],
    distances: [],
    documents: [],
    embeddings: [],
    metadatas: [],
    uris: [],
  };
  const hits: RecordRow[][] = [];
  if (k === 0 || row.dimension === null) {
    for (const _ of vectors) hits.push([]);
  } else {
    const config = JSON.parse(row.config) as CollectionConfig;
    const space = SPACES[config.hnsw.space];
    const table = t.records(row.id);
    const filtered =
      selection.ids !== undefined || selection.where !== undefined || selection.whereDocument !== undefined;
    const indexed = row.dimension <= MAX_INDEXED_DIMENSION;
    // How many records the filter allows, counted up to the threshold (the count is cut off there).
    let allowed = Number.POSITIVE_INFINITY;
    if (filtered || !indexed) {
      const p = new Params();
      const where = selectionSql(selection, p);
      const { rows } = await db.query<{ n: string | number }>(
        `SELECT count(*) AS n FROM (SELECT 1 FROM ${table} WHERE ${where} LIMIT ${p.add(tuning.exactThreshold + 1)}) s`,
        p.values,
      );
      allowed = Number(rows[0]?.n ?? 0);
    }
    const ef = Math.min(MAX_EF_SEARCH, Math.max(config.hnsw.ef_search, k));
    await db.query(`SET LOCAL hnsw.ef_search = ${ef | 0}`);
    if (tuning.iterativeScan) await db.query("SET LOCAL hnsw.iterative_scan = strict_order");
    const cols = columnsFor(include).join(", ");
    const search = async (vector: Float32Array, exact: boolean): Promise<RecordRow[]> => {
      const p = new Params();
      const q = `${p.add(vectorLiteral(vector))}::vector`;
      const where = selectionSql(selection, p);
      const distance = space.distance("embedding", q);
      // The exact path orders by the distance function (no index matches it) with insertion order as the
      // tie-break; the index path orders by the space's operator, which the HNSW index answers.
      const order = exact ? `${distance}, label` : `embedding ${space.operator} ${q}`;
      const { rows } = await db.query<RecordRow>(
        `SELECT ${cols}, ${distance} AS distance FROM ${table} WHERE ${where} ORDER BY ${order} LIMIT ${p.add(k)}`,
        p.values,
      );
      return rows;
    };
    const exact = !indexed || allowed <= tuning.exactThreshold;
    for (const vector of vectors) {
      let rows = await search(vector, exact);
      if (!exact && rows.length < k && (!filtered || allowed > rows.length))
        rows = await search(vector, true);
      hits.push(rows);
    }
  }
  out.ids = hits.map((rows) => rows.map((r) => r.id));
  if (include.includes("distances"))
    out.distances = hits.map((rows) => rows.map((r) => Math.fround(r.distance!)));
  if (include.includes("documents")) out.documents = hits.map((rows) => rows.map((r) => r.document ?? null));
  if (include.includes("metadatas"))
    out.metadatas = hits.map((rows) => rows.map((r) => metadataOf(r.metadata)));
  if (include.includes("embeddings"))
    out.embeddings = hits.map((rows) => rows.map((r) => parseVector(r.embedding!)));
  if (include.includes("uris")) out.uris = hits.map((rows) => rows.map((r) => r.uri ?? null));
  return out;
}
