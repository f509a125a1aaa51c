/**
 * The SQLite schema and its migrations (tracked in `PRAGMA user_version`). SQLite is the source of truth;
 * vector index files are a cache that can always be rebuilt from `records`.
 *
 * Tables:
 * - `meta(key, value)`: `seq`, the last write sequence number (one per write call, across collections).
 * - `tenants`, `databases`, `collections`: the namespace. `collections.config` is the JSON `CollectionConfig`
 *   (space, HNSW parameters, embedding function identity); `dimension` is fixed by the first write;
 *   `tombstone_horizon`: tombstones at or below it were pruned, so an index older than it must reload.
 * - `records`: one row per record. `label` is the dense internal integer used by the vector index (global,
 *   monotonically increasing: ordering by label is insertion order); `seq` is the write that last touched it.
 * - `record_metadata`: one row per scalar or array element, for filters. `type` is `s` | `i` | `f` | `b`;
 *   strings in `str`, numbers and booleans (0/1) in `num`; `is_array` marks array elements.
 * - `tombstones`: deletes since the last index snapshot, so other processes' indexes can catch up.
 * - `records_fts`: FTS5 trigram index of documents (rowid = label), case-sensitive like Chroma's.
 * - `index_snapshots` (v2): the index snapshot folders this database vouches for, with their watermarks. A
 *   folder on disk that is not listed (e.g. written after the backup this database was restored from) is
 *   never loaded.
 * - `leases` (v2): short-lived, expiring ownership of a job that one process at a time should do (writing a
 *   collection's index snapshot): owner id, pid, host and expiry.
 */
export const MIGRATIONS: readonly string[] = [
  // v1
  `
  CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) STRICT;
  INSERT INTO meta (key, value) VALUES ('seq', 0);

  CREATE TABLE tenants (name TEXT PRIMARY KEY) STRICT;
  CREATE TABLE databases (
    id TEXT PRIMARY KEY,
    tenant TEXT NOT NULL REFERENCES tenants(name) ON DELETE CASCADE,
    name TEXT NOT NULL,
    UNIQUE (tenant, name)
  ) STRICT;
  CREATE TABLE collections (
    id TEXT PRIMARY KEY,
    database_id TEXT NOT NULL REFERENCES databases(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    metadata TEXT,
    config TEXT NOT NULL,
    dimension INTEGER,
    created_at INTEGER NOT NULL,
    tombstone_horizon INTEGER NOT NULL DEFAULT 0,
    UNIQUE (database_id, name)
  ) STRICT;

  CREATE TABLE records (
    label INTEGER PRIMARY KEY AUTOINCREMENT,
    collection_id TEXT NOT NULL,
    id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    embedding BLOB NOT NULL,
    document TEXT,
    uri TEXT,
    metadata TEXT,
    UNIQUE (collection_id, id)
  );
  CREATE INDEX records_by_seq ON records (collection_id, seq);

  CREATE TABLE record_metadata (
    label INTEGER NOT NULL,
    collection_id TEXT NOT NULL,
    key TEXT NOT NULL,
    type TEXT NOT NULL,
    str TEXT,
    num REAL,
    is_array INTEGER NOT NULL DEFAULT 0
  );
  CREATE INDEX record_metadata_by_label ON record_metadata (label);
  CREATE INDEX record_metadata_by_str ON record_metadata (collection_id, key, str) WHERE str IS NOT NULL;
  CREATE INDEX record_metadata_by_num ON record_metadata (collection_id, key, num) WHERE num IS NOT NULL;

  CREATE TABLE tombstones (
    collection_id TEXT NOT NULL,
    label INTEGER NOT NULL,
    seq INTEGER NOT NULL
  ) STRICT;
  CREATE INDEX tombstones_by_seq ON tombstones (collection_id, seq);

  CREATE VIRTUAL TABLE records_fts USING fts5(document, tokenize = 'trigram case_sensitive 1');
  `,
  // v2
  `
  CREATE TABLE index_snapshots (
    collection_id TEXT NOT NULL,
    name TEXT NOT NULL,
    watermark INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (collection_id, name)
  ) STRICT;

  CREATE TABLE leases (
    name TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    pid INTEGER NOT NULL,
    host TEXT NOT NULL,
    expires_at INTEGER NOT NULL
  ) STRICT;
  `,
];

/** The schema version this build writes. */
export const SCHEMA_VERSION = MIGRATIONS.length;
