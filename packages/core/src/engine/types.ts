import type { Metadata, UpdateMetadata } from "../types";

/** Write modes with their semantics for existing and missing ids. */
export type WriteMode = "add" | "upsert" | "update";

/**
 * How a write treats what is already stored (normalised by the collection layer; the defaults are Cairn's
 * documented behaviour).
 */
export interface WritePolicy {
  /**
   * What `add` does with ids that already exist: `"error"` fails the whole batch with `DUPLICATE_ID` and
   * writes nothing; `"ignore"` skips them (their stored records stay as they are) and writes the new ones.
   */
  onDuplicate: "error" | "ignore";
  /**
   * How `upsert` writes the metadata of existing records: `"merge"` key by key (`null` deletes a key, absent
   * keys stay, as Chroma does); `"replace"` makes the stored metadata exactly the given one.
   */
  metadata: "merge" | "replace";
}

/** The policy of a write without options. */
export const DEFAULT_WRITE_POLICY: Readonly<WritePolicy> = Object.freeze({
  onDuplicate: "error",
  metadata: "merge",
});

/**
 * A validated, embedded batch handed to the engine. Per-record `undefined` or `null` (for vectors, documents,
 * uris and metadatas of existing records) means "keep what is stored".
 */
export interface WriteBatch {
  ids: string[];
  embeddings?: (Float32Array | null | undefined)[] | undefined;
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
