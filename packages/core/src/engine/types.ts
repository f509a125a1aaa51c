import type { Metadata, UpdateMetadata } from "../types";

/** Write modes with their semantics for existing and missing ids. */
export type WriteMode = "add" | "upsert" | "update";

/**
 * A validated, embedded batch handed to the engine. Per-record `undefined` (or `null` for documents, uris and
 * metadatas of existing records) means "keep what is stored".
 */
export interface WriteBatch {
  ids: string[];
  embeddings?: (Float32Array | undefined)[] | undefined;
  documents?: (string | null | undefined)[] | undefined;
  metadatas?: (UpdateMetadata | Metadata | null | undefined)[] | undefined;
  uris?: (string | null | undefined)[] | undefined;
}

/** What a committed write changed in vector space, to be applied to the in-memory index. */
export interface VectorChanges {
  seq: number;
  upserts: { label: number; vector: Float32Array }[];
  removals: number[];
}
