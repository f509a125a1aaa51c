/**
 * Reads a Chroma persist directory offline: `chroma.sqlite3` (collections, the metadata segment's records and
 * the write-ahead `embeddings_queue`) plus one HNSW folder per vector segment. The same tables exist since Chroma
 * 0.4; vectors are merged from the segment files and from queue entries the segment has not flushed yet.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { NotFoundError, StorageError } from "../../errors";
import type { Metadata } from "../../types";
import { readHnswSegment } from "./hnsw-reader";
import type { ChromaCollectionSource, ChromaRecord } from "./types";

/** Metadata keys Chroma uses for the document and the uri (hidden from the user's metadata). */
const DOCUMENT_KEY = "chroma:document";
const URI_KEY = "chroma:uri";
/** `embeddings_queue.operation` values (Chroma's `Operation` enum). */
const OP = { ADD: 0, UPDATE: 1, UPSERT: 2, DELETE: 3 } as const;

interface CollectionRow {
  id: string;
  name: string;
  dimension: number | null;
  config_json_str: string | null;
  database: string;
  tenant: string;
}
interface MetaRow {
  id: number;
  key: string;
  string_value: string | null;
  int_value: number | bigint | null;
  float_value: number | null;
  bool_value: number | null;
}

/** An open Chroma directory; `close()` releases the SQLite handle. */
export interface ChromaDirectory {
  collections: ChromaCollectionSource[];
  close(): void;
}

/**
 * Opens the Chroma persist directory `dir` read-only (Chroma must not be writing to it).
 * @throws NotFoundError `NOT_FOUND` when `dir/chroma.sqlite3` does not exist
 * @throws StorageError `STORAGE_CORRUPT` when the tables are not Chroma's
 */
export function openChromaDirectory(dir: string): ChromaDirectory {
  const file = join(dir, "chroma.sqlite3");
  if (!existsSync(file))
    throw new NotFoundError(
      "NOT_FOUND",
      `${file} does not exist: --from must be a Chroma persist directory (the folder Chroma was started with --path).`,
      {
        details: { path: file },
      },
    );
  const db = new Database(file, { readonly: true, fileMustExist: true });
  db.defaultSafeIntegers(false);
  let rows: CollectionRow[];
  try {
    rows = db
      .prepare(
        `SELECT c.id, c.name, c.dimension, c.config_json_str, d.name AS database, d.tenant_id AS tenant
         FROM collections c JOIN databases d ON d.id = c.database_id ORDER BY d.tenant_id, d.name, c.name`,
      )
      .all() as CollectionRow[];
  } catch (cause) {
    db.close();
    throw new StorageError(
      "STORAGE_CORRUPT",
      `${file} has no Chroma collections/databases tables: ${(cause as Error).message}`,
      {
        cause,
        details: { path: file },
      },
    );
  }
  const collections = rows.map((row) => collectionSource(db, dir, row));
  return { collections, close: () => db.close() };
}

function collectionSource(db: Database.Database, dir: string, row: CollectionRow): ChromaCollectionSource {
  const segment = (scope: string) =>
    (
      db.prepare("SELECT id FROM segments WHERE collection = ? AND scope = ?").get(row.id, scope) as
        | { id: string }
        | undefined
    )?.id;
  const metadataSegment = segment("METADATA");
  const vectorSegment = segment("VECTOR");
  const metaRows = db
    .prepare(
      "SELECT key, str_value, int_value, float_value, bool_value FROM collection_metadata WHERE collection_id = ?",
    )
    .all(row.id) as {
    key: string;
    str_value: string | null;
    int_value: number | null;
    float_value: number | null;
    bool_value: number | null;
  }[];
  const metadata: Record<string, string | number | boolean> = {};
  for (const m of metaRows) metadata[m.key] = scalarOf({ ...m, string_value: m.str_value, id: 0 });
  const count = metadataSegment
    ? (
        db.prepare("SELECT count(*) AS n FROM embeddings WHERE segment_id = ?").get(metadataSegment) as {
          n: number;
        }
      ).n
    : 0;
  return {
    name: row.name,
    database: row.database,
    tenant: row.tenant,
    dimension: row.dimension,
    metadata: metaRows.length ? metadata : null,
    configuration: parseConfig(row.config_json_str),
    count,
    async *records(pageSize) {
      if (!metadataSegment) return;
      const vectors = collectionVectors(db, dir, row, vectorSegment);
      const page = db.prepare(
        "SELECT id, embedding_id FROM embeddings WHERE segment_id = ? AND id > ? ORDER BY id LIMIT ?",
      );
      const metaOf = db.prepare(
        "SELECT id, key, string_value, int_value, float_value, bool_value FROM embedding_metadata WHERE id BETWEEN ? AND ?",
      );
      let after = -1;
      for (;;) {
        const ids = page.all(metadataSegment, after, pageSize) as { id: number; embedding_id: string }[];
        if (ids.length === 0) return;
        const first = ids[0]!.id;
        after = ids[ids.length - 1]!.id;
        const byRow = new Map<number, MetaRow[]>();
        for (const m of metaOf.all(first, after) as MetaRow[]) {
          const list = byRow.get(m.id);
          if (list) list.push(m);
          else byRow.set(m.id, [m]);
        }
        const out: ChromaRecord[] = [];
        for (const { id: rowId, embedding_id: id } of ids) {
          const embedding = vectors.get(id);
          if (!embedding)
            throw new StorageError(
              "STORAGE_CORRUPT",
              `Chroma collection "${row.name}": record "${id}" has no vector in segment ${vectorSegment ?? "(none)"} nor in embeddings_queue.`,
              { details: { collection: row.name, id } },
            );
          out.push(recordOf(id, embedding, byRow.get(rowId) ?? []));
        }
        yield out;
      }
    },
  };
}

function recordOf(id: string, embedding: Float32Array, rows: MetaRow[]): ChromaRecord {
  let document: string | null = null;
  let uri: string | null = null;
  const metadata: Metadata = {};
  let keys = 0;
  for (const m of rows) {
    if (m.key === DOCUMENT_KEY) document = m.string_value;
    else if (m.key === URI_KEY) uri = m.string_value;
    else {
      metadata[m.key] = scalarOf(m);
      keys++;
    }
  }
  return { id, embedding, document, uri, metadata: keys ? metadata : null };
}

function scalarOf(m: MetaRow): string | number | boolean {
  if (m.string_value !== null) return m.string_value;
  if (m.int_value !== null) return Number(m.int_value);
  if (m.float_value !== null) return m.float_value;
  if (m.bool_value !== null) return m.bool_value !== 0;
  return "";
}

function parseConfig(json: string | null): Record<string, unknown> | null {
  if (!json) return null;
  try {
    const v = JSON.parse(json) as unknown;
    return v && typeof v === "object" ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/**
 * The vector of every record: the HNSW segment's files, then the queue entries after the segment's flush point
 * in order (later entries win, a delete removes).
 */
function collectionVectors(
  db: Database.Database,
  dir: string,
  row: CollectionRow,
  vectorSegment: string | undefined,
): Map<string, Float32Array> {
  const dimension = row.dimension ?? 0;
  const vectors = new Map<string, Float32Array>();
  let flushed = -1;
  if (vectorSegment) {
    const seg = readHnswSegment(join(dir, vectorSegment), dimension);
    for (const [id, v] of seg.vectors) vectors.set(id, v);
    const seq = db.prepare("SELECT seq_id FROM max_seq_id WHERE segment_id = ?").get(vectorSegment) as
      | { seq_id: number | Buffer }
      | undefined;
    if (seg.header) flushed = seq ? seqNumber(seq.seq_id) : (seg.maxSeqId ?? -1);
  }
  const queue = db.prepare(
    "SELECT seq_id, operation, id, vector, encoding FROM embeddings_queue WHERE topic LIKE ? AND seq_id > ? ORDER BY seq_id",
  );
  for (const q of queue.iterate(`%/${row.id}`, flushed) as Iterable<{
    operation: number;
    id: string;
    vector: Buffer | null;
    encoding: string | null;
  }>) {
    if (q.operation === OP.DELETE) vectors.delete(q.id);
    else if (q.vector && (q.operation === OP.ADD || q.operation === OP.UPDATE || q.operation === OP.UPSERT)) {
      if (q.encoding && q.encoding.toUpperCase() !== "FLOAT32")
        throw new StorageError(
          "STORAGE_CORRUPT",
          `embeddings_queue entry for "${q.id}" has encoding ${q.encoding}; only FLOAT32 is read.`,
          {
            details: { id: q.id, encoding: q.encoding },
          },
        );
      const v = new Float32Array(q.vector.length / 4);
      for (let j = 0; j < v.length; j++) v[j] = q.vector.readFloatLE(j * 4);
      vectors.set(q.id, v);
    }
  }
  return vectors;
}

/** `max_seq_id.seq_id` is an integer (1.0) or an 8-byte big-endian blob (0.4/0.5). */
function seqNumber(v: number | Buffer): number {
  return typeof v === "number" ? v : Number(v.readBigUInt64BE(0));
}
