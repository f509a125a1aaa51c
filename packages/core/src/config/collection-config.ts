/**
 * Collection configuration: what is fixed at creation (space, graph shape) and what can change later
 * (search breadth, batching). The two are different types, as in Chroma 1.x, so a setting that cannot change
 * cannot be passed to `modify`.
 */
import { InvalidArgumentError } from "../errors";
import { copyJson, describeValue, isPlainObject } from "../internal";
import {
  type CollectionMetadata,
  DEFAULT_HNSW,
  type EmbeddingFunctionConfig,
  type HnswConfig,
  type Space,
} from "../types";

// The one HNSW settings type lives in types.ts (every module may import it); config re-exports it.
export { DEFAULT_HNSW, type HnswConfig } from "../types";

/** HNSW settings fixed when a collection is created. */
const IMMUTABLE_KEYS = [
  "space",
  "ef_construction",
  "max_neighbors",
] as const satisfies readonly (keyof HnswConfig)[];
/** HNSW settings that `modify` may change. */
const MUTABLE_KEYS = [
  "ef_search",
  "num_threads",
  "batch_size",
  "sync_threshold",
  "resize_factor",
] as const satisfies readonly (keyof HnswConfig)[];

/** Every HNSW setting, creation-time ones first. */
export const HNSW_KEYS = [...IMMUTABLE_KEYS, ...MUTABLE_KEYS] as const;

/** The persisted configuration of a collection (stored beside it, never inside user metadata). */
export interface CollectionConfig {
  hnsw: HnswConfig;
  /** The embedding function identity, or `null` for a vectors-only collection. */
  embedding_function: EmbeddingFunctionConfig | null;
}

/**
 * Configuration accepted by `createCollection`.
 * @example { hnsw: { space: "cosine", ef_search: 64 } }
 */
export interface CreateCollectionConfiguration {
  hnsw?: Partial<HnswConfig>;
  /** Accepted for Chroma compatibility and mapped to HNSW with the same space (as a local Chroma does). */
  spann?: { space?: Space; search_nprobe?: number; ef_search?: number } | null;
  embedding_function?: EmbeddingFunctionConfig | null;
}

/** The HNSW settings that `modify` may change. */
export type MutableHnswConfig = Pick<HnswConfig, (typeof MUTABLE_KEYS)[number]>;

/**
 * Configuration accepted by `collection.modify({ configuration })`.
 * @example { hnsw: { ef_search: 200 } }
 */
export interface UpdateCollectionConfiguration {
  hnsw?: Partial<MutableHnswConfig>;
  spann?: { search_nprobe?: number; ef_search?: number };
  embedding_function?: EmbeddingFunctionConfig | null;
}

const SPACES: readonly Space[] = ["l2", "cosine", "ip"];

/** Legacy `metadata["hnsw:*"]` keys and the configuration fields they map to (Chroma keeps them in metadata too). */
const LEGACY_METADATA_KEYS: Record<string, keyof HnswConfig> = {
  "hnsw:space": "space",
  "hnsw:construction_ef": "ef_construction",
  "hnsw:search_ef": "ef_search",
  "hnsw:M": "max_neighbors",
  "hnsw:num_threads": "num_threads",
  "hnsw:batch_size": "batch_size",
  "hnsw:sync_threshold": "sync_threshold",
  "hnsw:resize_factor": "resize_factor",
};

function fail(path: string, problem: string): never {
  throw new InvalidArgumentError("INVALID_CONFIGURATION", `${path}: ${problem}`, { details: { path } });
}

function checkHnswValue(key: keyof HnswConfig, value: unknown, path: string): HnswConfig[keyof HnswConfig] {
  if (key === "space") {
    if (typeof value !== "string" || !SPACES.includes(value as Space)) {
      fail(path, `expected one of ${SPACES.join(", ")}, got ${describeValue(value)}`);
    }
    return value as Space;
  }
  if (key === "resize_factor") {
    if (typeof value !== "number" || !Number.isFinite(value) || value <= 1)
      fail(path, "expected a number > 1");
    return value;
  }
  const min = key === "max_neighbors" ? 2 : 1;
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > 1_000_000) {
    fail(path, `expected an integer between ${min} and 1000000, got ${describeValue(value)}`);
  }
  return value;
}

function applyHnsw(
  target: HnswConfig,
  input: Record<string, unknown>,
  allowed: readonly string[],
  path: string,
): void {
  for (const key of Object.keys(input)) {
    if (!allowed.includes(key)) {
      const fixed = (IMMUTABLE_KEYS as readonly string[]).includes(key);
      fail(
        `${path}.${key}`,
        fixed
          ? "cannot be changed after the collection is created; create a new collection and copy the records"
          : `unknown setting; expected one of ${allowed.join(", ")}`,
      );
    }
    const value = input[key];
    if (value === undefined || value === null) continue;
    (target as unknown as Record<string, unknown>)[key] = checkHnswValue(
      key as keyof HnswConfig,
      value,
      `${path}.${key}`,
    );
  }
}

/** Validates a persisted embedding-function identity: `{ type: "known", name, config }`, `{ type: "legacy" }` or null. */
export function checkEmbeddingFunctionConfig(value: unknown, path: string): EmbeddingFunctionConfig | null {
  if (value === null) return null;
  if (!isPlainObject(value)) fail(path, "expected an object or null");
  if (value.type === "legacy") return { type: "legacy" };
  if (value.type !== "known")
    fail(`${path}.type`, `expected "known" or "legacy", got ${describeValue(value.type)}`);
  if (typeof value.name !== "string" || value.name.length === 0)
    fail(`${path}.name`, "expected a non-empty string");
  const config = value.config ?? {};
  if (!isPlainObject(config)) fail(`${path}.config`, "expected an object");
  const copied = copyJson(config);
  if (!copied) {
    fail(
      `${path}.config`,
      "expected plain JSON data (no cycles, functions, bigints or class instances; at most 100,000 values)",
    );
  }
  return { type: "known", name: value.name, config: copied.value as Record<string, unknown> };
}

/**
 * Resolves the configuration of a new collection: defaults, then legacy metadata keys, then the explicit
 * configuration (which wins, as in Chroma), then the embedding function's preferred space when none was given.
 */
export function resolveCreateConfig(
  configuration: unknown,
  metadata: CollectionMetadata | null | undefined,
  options: { defaultSpace?: Space | undefined; embeddingFunction: EmbeddingFunctionConfig | null },
): CollectionConfig {
  const hnsw: HnswConfig = { ...DEFAULT_HNSW };
  let spaceGiven = false;
  for (const [legacyKey, field] of Object.entries(LEGACY_METADATA_KEYS)) {
    const value = metadata?.[legacyKey];
    if (value === undefined) continue;
    (hnsw as unknown as Record<string, unknown>)[field] = checkHnswValue(
      field,
      value,
      `metadata["${legacyKey}"]`,
    );
    if (field === "space") spaceGiven = true;
  }
  if (configuration !== undefined && configuration !== null) {
    if (!isPlainObject(configuration)) fail("configuration", "expected an object");
    for (const key of Object.keys(configuration)) {
      if (!["hnsw", "spann", "embedding_function"].includes(key)) {
        fail(`configuration.${key}`, "unknown setting; expected hnsw, spann or embedding_function");
      }
    }
    const { hnsw: h, spann } = configuration as { hnsw?: unknown; spann?: unknown };
    if (h != null && spann != null) fail("configuration", "give either hnsw or spann, not both");
    if (h != null) {
      if (!isPlainObject(h)) fail("configuration.hnsw", "expected an object");
      applyHnsw(hnsw, h, HNSW_KEYS, "configuration.hnsw");
      if (h.space != null) spaceGiven = true;
    }
    if (spann != null) {
      if (!isPlainObject(spann)) fail("configuration.spann", "expected an object");
      if (spann.space != null) {
        hnsw.space = checkHnswValue("space", spann.space, "configuration.spann.space") as Space;
        spaceGiven = true;
      }
      if (spann.ef_search != null)
        hnsw.ef_search = checkHnswValue(
          "ef_search",
          spann.ef_search,
          "configuration.spann.ef_search",
        ) as number;
    }
  }
  if (!spaceGiven && options.defaultSpace) hnsw.space = options.defaultSpace;
  return {
    hnsw,
    embedding_function: checkEmbeddingFunctionConfig(
      options.embeddingFunction,
      "configuration.embedding_function",
    ),
  };
}

/**
 * Applies a `modify` configuration update to a stored configuration; only mutable settings are accepted. Used by
 * every backend's `modify` so the rules are the same embedded, remote and on PostgreSQL.
 * @throws InvalidArgumentError `INVALID_CONFIGURATION` naming the key when it is unknown or immutable.
 * @example applyConfigUpdate(stored, { hnsw: { ef_search: 200 } })
 */
export function applyConfigUpdate(current: CollectionConfig, update: unknown): CollectionConfig {
  if (update === undefined || update === null) return current;
  if (!isPlainObject(update)) fail("configuration", "expected an object");
  const next: CollectionConfig = {
    hnsw: { ...current.hnsw },
    embedding_function: current.embedding_function,
  };
  for (const key of Object.keys(update)) {
    const value = update[key];
    if (key === "hnsw") {
      if (value == null) continue;
      if (!isPlainObject(value)) fail("configuration.hnsw", "expected an object");
      applyHnsw(next.hnsw, value, MUTABLE_KEYS, "configuration.hnsw");
    } else if (key === "spann") {
      if (value == null) continue;
      if (!isPlainObject(value)) fail("configuration.spann", "expected an object");
      if (value.ef_search != null)
        next.hnsw.ef_search = checkHnswValue(
          "ef_search",
          value.ef_search,
          "configuration.spann.ef_search",
        ) as number;
    } else if (key === "embedding_function") {
      next.embedding_function = checkEmbeddingFunctionConfig(
        value ?? null,
        "configuration.embedding_function",
      );
    } else {
      fail(`configuration.${key}`, "unknown setting; expected hnsw, spann or embedding_function");
    }
  }
  return next;
}
