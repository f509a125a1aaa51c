/** Maps a Chroma collection's stored configuration onto Cairn's creation configuration. */
import { DEFAULT_HNSW, type HnswConfig } from "../../types";

const HNSW_KEYS = Object.keys(DEFAULT_HNSW);

/** The Cairn configuration for a Chroma collection, and each Chroma setting that has no Cairn counterpart. */
export interface MappedConfiguration {
  hnsw: Partial<HnswConfig>;
  /** Human-readable, e.g. `embedding_function "openai" (vectors imported; attach an embedding function yourself)`. */
  unmapped: string[];
}

const record = (v: unknown): Record<string, unknown> | null =>
  v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : null;

/**
 * Reads Chroma 1.0's `config_json_str` (`{ vector_index: { hnsw | spann }, embedding_function }`) or the REST
 * `configuration_json` (`{ hnsw, spann, embedding_function }`). HNSW keys Cairn knows are kept; SPANN's space and
 * ef_search become HNSW's (as a local Chroma does); everything else is listed in `unmapped`.
 */
export function mapChromaConfiguration(config: Record<string, unknown> | null): MappedConfiguration {
  const hnsw: Record<string, unknown> = {};
  const unmapped: string[] = [];
  if (!config) return { hnsw, unmapped };
  const index = record(config.vector_index) ?? config;
  const h = record(index.hnsw);
  if (h)
    for (const [k, v] of Object.entries(h)) {
      if (v === null || v === undefined) continue;
      if (HNSW_KEYS.includes(k)) hnsw[k] = v;
      else unmapped.push(`hnsw.${k} = ${JSON.stringify(v)}`);
    }
  const s = record(index.spann);
  if (s)
    for (const [k, v] of Object.entries(s)) {
      if (v === null || v === undefined) continue;
      if (k === "space" || k === "ef_search") hnsw[k] = v;
      else unmapped.push(`spann.${k} = ${JSON.stringify(v)}`);
    }
  const ef = record(config.embedding_function);
  if (ef) {
    const name = typeof ef.name === "string" ? ef.name : typeof ef.type === "string" ? ef.type : "unknown";
    if (name !== "default" || ef.type !== "legacy")
      unmapped.push(
        `embedding_function "${name}" (vectors are imported as stored; pass an embedding function when you open the collection to embed new text)`,
      );
  }
  return { hnsw: hnsw as Partial<HnswConfig>, unmapped };
}
