/** The shapes the Chroma readers produce and the importer consumes. */
import type { Metadata } from "../../types";

/** One Chroma record, as Cairn will store it. */
export interface ChromaRecord {
  id: string;
  embedding: Float32Array | number[];
  document: string | null;
  uri: string | null;
  metadata: Metadata | null;
}

/** One Chroma collection: its identity, settings and a way to read its records in pages. */
export interface ChromaCollectionSource {
  name: string;
  /** Chroma's database (Cairn keeps the collection in the database of the target client). */
  database: string;
  tenant: string;
  dimension: number | null;
  metadata: Record<string, string | number | boolean> | null;
  /** Chroma's `configuration_json` (hnsw/spann settings, embedding function). */
  configuration: Record<string, unknown> | null;
  /** Record count when known up front (for progress). */
  count: number | null;
  /** Pages of records, in a stable order. */
  records(pageSize: number): AsyncIterable<ChromaRecord[]>;
}
