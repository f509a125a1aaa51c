import { EmbeddingError, InvalidArgumentError, invalidArgument } from "../errors";
import { DEFAULT_MODEL, DefaultEmbeddingFunction } from "./default";
import { HashEmbeddingFunction } from "./hash";
import { OPENAI_MODEL_DIMENSIONS, OpenAIEmbeddingFunction } from "./openai";
import type { EmbeddingFunction, EmbeddingFunctionClass, EmbeddingFunctionConfig } from "./types";

const BUILT_IN: Record<string, EmbeddingFunctionClass> = {
  default: DefaultEmbeddingFunction,
  openai: OpenAIEmbeddingFunction,
  hash: HashEmbeddingFunction,
};

/**
 * Embedding-function classes by name, so a collection's persisted `{ type: "known", name, config }` can be
 * rebuilt by `getCollection` without passing the EF again. One registry per client (no global state):
 * `default`, `openai` and `hash` are registered from the start; add yours with `register` or the client's
 * `embeddingFunctions` option.
 * @example
 * const registry = new EmbeddingFunctionRegistry({ myef: MyEmbeddingFunction });
 * const ef = registry.build({ type: "known", name: "myef", config: { model: "m1" } });
 */
export class EmbeddingFunctionRegistry {
  readonly #classes = new Map<string, EmbeddingFunctionClass>(Object.entries(BUILT_IN));

  /** @param classes extra classes by name (they may replace the built-ins). */
  constructor(classes: Record<string, EmbeddingFunctionClass> = {}) {
    for (const [name, cls] of Object.entries(classes)) this.register(name, cls);
  }

  /** Registers (or replaces) the class rebuilt for `name`. It needs a static `buildFromConfig(config)`. */
  register(name: string, cls: EmbeddingFunctionClass): this {
    if (typeof name !== "string" || name.length === 0)
      throw invalidArgument("name", "expected a non-empty string");
    if (typeof cls?.buildFromConfig !== "function") {
      throw invalidArgument(
        `embeddingFunctions.${name}`,
        "expected a class with a static buildFromConfig(config) method",
      );
    }
    this.#classes.set(name, cls);
    return this;
  }

  /** Whether a class is registered for `name`. */
  has(name: string): boolean {
    return this.#classes.has(name);
  }

  /** Registered names, built-ins first. */
  names(): string[] {
    return [...this.#classes.keys()];
  }

  /**
   * Rebuilds an EF from its persisted identity.
   * @throws EmbeddingError `EMBEDDING_FUNCTION_UNKNOWN` when no class is registered under the name;
   * `EMBEDDING_FUNCTION_MISSING` for `{ type: "legacy" }` (such an EF was never persisted, so pass it again).
   */
  build(config: EmbeddingFunctionConfig): EmbeddingFunction {
    if (config.type === "legacy") {
      throw new EmbeddingError(
        "EMBEDDING_FUNCTION_MISSING",
        "This collection was created with a custom embedding function that has no name/getConfig, so it was not " +
          "persisted and cannot be rebuilt: pass it again as `embeddingFunction`.",
      );
    }
    const cls = this.#classes.get(config.name);
    if (!cls) {
      throw new EmbeddingError(
        "EMBEDDING_FUNCTION_UNKNOWN",
        `Unknown embedding function "${config.name}" (registered: ${this.names().join(", ")}). Register its ` +
          `class with the client, e.g. new PersistentClient({ path, embeddingFunctions: { "${config.name}": MyEfClass } }), ` +
          "or pass `embeddingFunction` to getCollection.",
        { details: { name: config.name } },
      );
    }
    try {
      return cls.buildFromConfig(config.config ?? {});
    } catch (e) {
      if (e instanceof InvalidArgumentError || e instanceof EmbeddingError) throw e;
      throw new EmbeddingError(
        "EMBEDDING_FAILED",
        `Rebuilding embedding function "${config.name}" failed: ${String(e)}`,
        {
          cause: e,
          details: { name: config.name },
        },
      );
    }
  }
}

/**
 * The persisted identity of an EF: `{ type: "known", name, config }` when it has a `name` and `getConfig()`
 * (after `validateConfig`, if it has one), else `{ type: "legacy" }` — chromadb's rule. The config goes
 * through JSON so it is exactly what will be stored (undefined values dropped).
 */
export function serializeEmbeddingFunction(ef: EmbeddingFunction): EmbeddingFunctionConfig {
  if (typeof ef.name !== "string" || ef.name.length === 0 || typeof ef.getConfig !== "function") {
    return { type: "legacy" };
  }
  const raw = ef.getConfig();
  ef.validateConfig?.(raw);
  let config: unknown;
  try {
    config = JSON.parse(JSON.stringify(raw ?? {}));
  } catch (e) {
    throw new InvalidArgumentError(
      "INVALID_CONFIGURATION",
      `embeddingFunction "${ef.name}": getConfig() must return a JSON-serialisable object (${String(e)})`,
      { cause: e },
    );
  }
  if (config === null || typeof config !== "object" || Array.isArray(config)) {
    throw new InvalidArgumentError(
      "INVALID_CONFIGURATION",
      `embeddingFunction "${ef.name}": getConfig() must return an object`,
    );
  }
  return { type: "known", name: ef.name, config: config as Record<string, unknown> };
}

const str = (v: unknown): string | undefined => (typeof v === "string" && v.length > 0 ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) ? v : undefined);

/**
 * What decides the vectors, per built-in EF, with defaults filled in (so Chroma's `{}` for `default` equals
 * ours). Settings that do not change the vector space (dtype, batch size, endpoint, key env var) are left out.
 */
const IDENTITY: Record<string, (config: Record<string, unknown>) => Record<string, unknown>> = {
  default: (c) => ({ model: str(c.model) ?? str(c.model_name) ?? DEFAULT_MODEL }),
  openai: (c) => {
    const model = str(c.model_name) ?? "text-embedding-3-small";
    return { model, dimensions: num(c.dimensions) ?? OPENAI_MODEL_DIMENSIONS[model] ?? null };
  },
  hash: (c) => ({ dimension: num(c.dimension) ?? 384 }),
};

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

function identity(config: Extract<EmbeddingFunctionConfig, { type: "known" }>): string {
  const of = IDENTITY[config.name];
  return canonical(of ? of(config.config ?? {}) : (config.config ?? {}));
}

/**
 * Whether an EF passed for an existing collection conflicts with the persisted one: a different name, or the
 * same name with a different identity-relevant config (built-ins: see above; any other EF: its whole config).
 *
 * `legacy` never conflicts, on either side: a legacy EF has no name or config, so there is nothing to compare,
 * and refusing would make every such EF unusable (chromadb accepts them too). The dimension check on write and
 * query still catches the worst mismatch.
 */
export function embeddingFunctionsConflict(
  persisted: EmbeddingFunctionConfig,
  passed: EmbeddingFunctionConfig,
): boolean {
  if (persisted.type !== "known" || passed.type !== "known") return false;
  if (persisted.name !== passed.name) return true;
  return identity(persisted) !== identity(passed);
}

/**
 * A short human description for messages, e.g. `openai(text-embedding-3-small, 1536 dims)`,
 * `default(all-MiniLM-L6-v2, 384 dims)`, `hash(384 dims)`, `legacy`.
 */
export function describeEmbeddingFunction(
  efOrConfig: EmbeddingFunction | EmbeddingFunctionConfig,
  dimension?: number,
): string {
  const isConfig =
    "type" in efOrConfig &&
    (efOrConfig.type === "known" || efOrConfig.type === "legacy") &&
    !("generate" in efOrConfig);
  const config = isConfig
    ? (efOrConfig as EmbeddingFunctionConfig)
    : serializeEmbeddingFunction(efOrConfig as EmbeddingFunction);
  if (config.type === "legacy") {
    const ctor = isConfig ? undefined : (efOrConfig as object).constructor?.name;
    const dims = dimension ?? (isConfig ? undefined : (efOrConfig as EmbeddingFunction).dimension?.());
    const detail = [
      ctor && ctor !== "Object" ? ctor : undefined,
      dims === undefined ? undefined : `${dims} dims`,
    ].filter(Boolean);
    return detail.length > 0 ? `legacy(${detail.join(", ")})` : "legacy";
  }
  const c = config.config ?? {};
  const model = str(c.model_name) ?? str(c.model) ?? str(c.modelName);
  const shortModel = config.name === "default" ? (model ?? DEFAULT_MODEL).split("/").pop() : model;
  const known =
    config.name === "default"
      ? (model ?? DEFAULT_MODEL) === DEFAULT_MODEL
        ? 384
        : undefined
      : config.name === "openai"
        ? (num(c.dimensions) ?? OPENAI_MODEL_DIMENSIONS[model ?? "text-embedding-3-small"])
        : (num(c.dimension) ?? num(c.dimensions));
  const fromEf = isConfig ? undefined : (efOrConfig as EmbeddingFunction).dimension?.();
  const dims = dimension ?? fromEf ?? known;
  const parts = [shortModel, dims === undefined ? undefined : `${dims} dims`].filter(Boolean);
  return parts.length > 0 ? `${config.name}(${parts.join(", ")})` : config.name;
}
