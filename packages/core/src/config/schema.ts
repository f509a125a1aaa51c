/**
 * Chroma's collection `schema` (chromadb 3.x `Schema`, the v2 REST `schema` field): per-value-type index
 * settings. Cairn indexes every metadata key and keeps one HNSW index over the embeddings, so it honours exactly
 * the part of a schema that maps 1:1 onto its configuration — the vector index's `space` and `hnsw` settings
 * (and an embedding-function identity) — on top of Chroma's default schema. Anything else (turning an index off
 * or on, per-key settings, SPANN, sparse vectors, CMEK) is refused with `INVALID_CONFIGURATION` naming the
 * schema key, never silently dropped.
 */
import { InvalidArgumentError } from "../errors";
import type { EmbeddingFunctionConfig } from "../types";
import type { CreateCollectionConfiguration, HnswConfig } from "./collection-config";
import { checkEmbeddingFunctionConfig, HNSW_KEYS } from "./collection-config";
import { describeValue, isPlainObject } from "../internal";

/** A serialized Chroma schema (`Schema.serializeToJSON()`), or a chromadb `Schema` instance. */
export type ChromaSchema = Record<string, unknown> | { serializeToJSON(): unknown };

/** Marks the vector index's config in the template: the one place a schema may differ from the default. */
const VECTOR = Symbol("vector index config");
type Template = typeof VECTOR | string | boolean | { [key: string]: Template };

const off = { enabled: false, config: {} };
const on = { enabled: true, config: {} };
const LEGACY_EF = { embedding_function: { type: "legacy" } };

/** Chroma's default schema, as chromadb 3.x serializes `new Schema()` (`null` members mean "not given"). */
const DEFAULT_SCHEMA: Template = {
  defaults: {
    string: { fts_index: off, string_inverted_index: on },
    float_list: { vector_index: { enabled: false, config: VECTOR } },
    sparse_vector: { sparse_vector_index: { enabled: false, config: LEGACY_EF } },
    int: { int_inverted_index: on },
    float: { float_inverted_index: on },
    bool: { bool_inverted_index: on },
  },
  keys: {
    "#document": { string: { fts_index: on, string_inverted_index: off } },
    "#embedding": { float_list: { vector_index: { enabled: true, config: VECTOR } } },
  },
};

/** The HNSW settings of a schema's vector index, named as in Cairn's `configuration.hnsw` (space apart). */
const SCHEMA_HNSW_KEYS = HNSW_KEYS.filter((key) => key !== "space");

const INSTEAD =
  "Cairn honours only the vector index's space and hnsw settings of a schema (it filters on every metadata key and has no per-key indexes); remove this part, and set the index with configuration: { hnsw: { space, ... } }";

function refuse(path: string, problem: string): never {
  throw new InvalidArgumentError("INVALID_CONFIGURATION", `${path}: ${problem}`, { details: { path } });
}

const child = (path: string, key: string) =>
  /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;

interface VectorSettings {
  space?: unknown;
  hnsw: Record<string, unknown>;
  embeddingFunction?: EmbeddingFunctionConfig | null;
}

function readVector(config: unknown, path: string, inKeys: boolean, into: VectorSettings[]): void {
  if (config === null || config === undefined) return;
  if (!isPlainObject(config)) refuse(path, `expected an object, got ${describeValue(config)}`);
  const found: VectorSettings = { hnsw: {} };
  for (const [key, value] of Object.entries(config)) {
    if (value === null || value === undefined) continue;
    const at = child(path, key);
    if (key === "space") found.space = value;
    else if (key === "embedding_function") {
      const ef = checkEmbeddingFunctionConfig(value, at);
      if (ef?.type === "known") found.embeddingFunction = ef;
    } else if (key === "source_key" && inKeys) {
      if (value !== "#document")
        refuse(at, `Cairn embeds the document only; expected "#document", got ${describeValue(value)}`);
    } else if (key === "hnsw") {
      if (!isPlainObject(value)) refuse(at, `expected an object, got ${describeValue(value)}`);
      for (const [name, setting] of Object.entries(value)) {
        if (setting === null || setting === undefined) continue;
        if (!(SCHEMA_HNSW_KEYS as readonly string[]).includes(name))
          refuse(child(at, name), `unknown HNSW setting; expected one of ${SCHEMA_HNSW_KEYS.join(", ")}`);
        found.hnsw[name] = setting;
      }
    } else if (key === "spann") {
      refuse(
        at,
        "Cairn builds HNSW indexes, not SPANN; give hnsw settings or configuration: { hnsw: { ... } }",
      );
    } else refuse(at, `not supported by Cairn. ${INSTEAD}.`);
  }
  into.push(found);
}

function walk(given: unknown, template: Template, path: string, vectors: VectorSettings[]): void {
  if (given === null || given === undefined) return; // not given: Chroma's default
  if (template === VECTOR) {
    readVector(given, path, path.startsWith("schema.keys"), vectors);
    return;
  }
  if (typeof template === "object") {
    if (!isPlainObject(given)) refuse(path, `expected an object, got ${describeValue(given)}`);
    for (const [key, value] of Object.entries(given)) {
      const at = child(path, key);
      if (!Object.hasOwn(template, key)) {
        if (path === "schema.keys")
          refuse(at, `per-key index settings are not supported by Cairn. ${INSTEAD}.`);
        if (path === "schema" && key === "cmek")
          refuse(
            at,
            "customer-managed encryption keys are a Chroma Cloud feature; Cairn does not support them",
          );
        refuse(at, `not supported by Cairn. ${INSTEAD}.`);
      }
      walk(value, template[key]!, at, vectors);
    }
    return;
  }
  if (given !== template)
    refuse(
      path,
      `Cairn cannot honour ${describeValue(given)} (only Chroma's default, ${describeValue(template)}). ${INSTEAD}.`,
    );
}

/** One value of a setting that both vector-index configs of a schema may give. */
function agree(values: unknown[], path: string): unknown {
  const distinct = [...new Set(values.filter((v) => v !== undefined).map((v) => JSON.stringify(v)))];
  if (distinct.length > 1)
    refuse(
      path,
      `the schema gives different values (${distinct.join(" and ")}) for the defaults and #embedding`,
    );
  return distinct.length === 1 ? JSON.parse(distinct[0]!) : undefined;
}

/**
 * The Cairn configuration a Chroma `schema` stands for, or an `INVALID_CONFIGURATION` error naming the first
 * part of the schema Cairn cannot honour. `new Schema()` (Chroma's default) maps to `{}`.
 * @throws InvalidArgumentError code `INVALID_CONFIGURATION`
 * @example configurationFromSchema(new Schema().createIndex(new VectorIndexConfig({ space: "cosine" })))
 * // { hnsw: { space: "cosine" } }
 */
export function configurationFromSchema(schema: unknown): CreateCollectionConfiguration {
  let json = schema;
  if (
    json !== null &&
    typeof json === "object" &&
    typeof (json as ChromaSchema).serializeToJSON === "function"
  )
    json = (json as { serializeToJSON(): unknown }).serializeToJSON();
  const vectors: VectorSettings[] = [];
  walk(json, DEFAULT_SCHEMA, "schema", vectors);
  const path = 'schema.keys["#embedding"].float_list.vector_index.config';
  const hnsw: Record<string, unknown> = {};
  const space = agree(
    vectors.map((v) => v.space),
    `${path}.space`,
  );
  if (space !== undefined) hnsw.space = space;
  for (const key of SCHEMA_HNSW_KEYS) {
    const value = agree(
      vectors.map((v) => v.hnsw[key]),
      `${path}.hnsw.${key}`,
    );
    if (value !== undefined) hnsw[key] = value;
  }
  const ef = agree(
    vectors.map((v) => v.embeddingFunction),
    `${path}.embedding_function`,
  ) as EmbeddingFunctionConfig | undefined;
  const out: CreateCollectionConfiguration = {};
  if (Object.keys(hnsw).length > 0) out.hnsw = hnsw as Partial<HnswConfig>;
  if (ef !== undefined) out.embedding_function = ef;
  return out;
}

/**
 * `configuration` with the settings of `schema` added; a setting given by both with different values is an
 * `INVALID_CONFIGURATION` error. Without a schema, `configuration` unchanged.
 * @throws InvalidArgumentError code `INVALID_CONFIGURATION`
 */
export function applySchema(
  configuration: CreateCollectionConfiguration | null | undefined,
  schema: unknown,
): CreateCollectionConfiguration | null | undefined {
  if (schema === undefined || schema === null) return configuration;
  const fromSchema = configurationFromSchema(schema);
  if (configuration !== undefined && configuration !== null && !isPlainObject(configuration))
    return configuration; // resolveCreateConfig reports it
  const config: Record<string, unknown> = { ...(configuration ?? {}) };
  if (fromSchema.hnsw) {
    const target = config.spann != null ? "spann" : "hnsw";
    const given = config[target];
    const current: Record<string, unknown> = isPlainObject(given) ? { ...given } : {};
    for (const [key, value] of Object.entries(fromSchema.hnsw)) {
      if (target === "spann" && key !== "space")
        refuse(
          `schema (hnsw.${key})`,
          "cannot be combined with configuration.spann; give hnsw settings only",
        );
      if (current[key] != null && JSON.stringify(current[key]) !== JSON.stringify(value))
        refuse(
          `configuration.${target}.${key}`,
          `${describeValue(current[key])} conflicts with ${describeValue(value)} in the schema; give it in one place`,
        );
      current[key] = value;
    }
    config[target] = current;
  }
  if (fromSchema.embedding_function) {
    const given = config.embedding_function;
    if (given != null && JSON.stringify(given) !== JSON.stringify(fromSchema.embedding_function))
      refuse(
        "configuration.embedding_function",
        "conflicts with the embedding function in the schema; give it in one place",
      );
    config.embedding_function = fromSchema.embedding_function;
  }
  return config as CreateCollectionConfiguration;
}
