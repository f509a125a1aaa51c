import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { EmbeddingError, invalidArgument, rejectUnknownKeys } from "../errors";
import type { Space } from "../types";
import {
  DEFAULT_MODEL,
  defaultModelCacheDir,
  embedBatch,
  errorText,
  getModel,
  importRuntime,
  isModelDtype,
  isNotInstalled,
  KNOWN_DIMENSIONS,
  loadModel,
  locateModel,
  type ModelDownloadProgress,
  type ModelDtype,
  type ModelLocationOptions,
  type ModelSettings,
  requiredModelFiles,
  resolveModelSettings,
} from "./model-loader";
import type { EmbeddingFunction } from "./types";

export {
  DEFAULT_MODEL,
  defaultModelCacheDir,
  type ModelDownloadProgress,
  type ModelDtype,
  type ModelLocationOptions,
  requiredModelFiles,
};

const OPTION_KEYS =
  "model revision dtype batchSize modelPath cacheDir remoteHost timeoutMs allowDownload onProgress".split(
    " ",
  );

/**
 * Options of {@link DefaultEmbeddingFunction}. Only `model`, `revision` and `dtype` are persisted with a
 * collection; where the files live is a property of the machine (set it with the env vars on each machine).
 * @example
 * new DefaultEmbeddingFunction({ dtype: "q8", modelPath: "/opt/models", batchSize: 64 })
 */
export interface DefaultEmbeddingFunctionOptions extends ModelLocationOptions {
  /** Texts per inference call. Default 32. */
  batchSize?: number;
  /** Download progress, for CLIs. */
  onProgress?: (progress: ModelDownloadProgress) => void;
}

/**
 * Chroma's default embedding function: `Xenova/all-MiniLM-L6-v2` (384 dims) through transformers.js, with
 * mean pooling and L2 normalisation — the same model, dtype (fp32) and pooling as Chroma's JS
 * `@chroma-core/default-embed`, so the vectors match. Runs on the CPU; nothing leaves the machine.
 *
 * The runtime is imported and the model loaded on the first `generate` (or `load`), once per process per
 * model, dtype and location. Where the model comes from, in order: the `modelPath` option (only there), or
 * `CAIRN_MODELS_DIR`; then the cache dir; then a download from the hub into the cache. When it cannot be found
 * it fails within seconds with `MODEL_UNAVAILABLE`, saying where it looked and how to fix it.
 * @example
 * const ef = new DefaultEmbeddingFunction();
 * const [vector] = await ef.generate(["hello world"]); // 384 numbers, unit length
 */
export class DefaultEmbeddingFunction implements EmbeddingFunction {
  /** Registry name. */
  readonly name = "default";
  readonly #settings: ModelSettings;
  readonly #batchSize: number;
  readonly #onProgress: ((p: ModelDownloadProgress) => void) | undefined;
  #dimension: number | undefined;

  constructor(options: DefaultEmbeddingFunctionOptions = {}) {
    rejectUnknownKeys(options, OPTION_KEYS, "DefaultEmbeddingFunction");
    this.#settings = resolveModelSettings(options);
    this.#batchSize = options.batchSize ?? 32;
    if (!Number.isInteger(this.#batchSize) || this.#batchSize < 1) {
      throw invalidArgument("batchSize", `expected a positive integer, got ${options.batchSize}`);
    }
    this.#onProgress = options.onProgress;
    this.#dimension = KNOWN_DIMENSIONS[this.#settings.model];
  }

  /**
   * Rebuilds the EF from a persisted config: `{ model?, revision?, dtype? }` (Chroma's keys; others are
   * ignored). Locations come from the env vars of the machine that rebuilds it.
   */
  static buildFromConfig(config: Record<string, unknown>): DefaultEmbeddingFunction {
    const pick = (key: string) => {
      const value = config[key];
      if (value === undefined || value === null) return undefined;
      if (typeof value !== "string")
        throw invalidArgument(`config.${key}`, `expected a string, got ${typeof value}`);
      return value;
    };
    const dtype = pick("dtype") ?? "fp32";
    if (!isModelDtype(dtype))
      throw invalidArgument("config.dtype", `expected "fp32" or "q8", got "${dtype}"`);
    return new DefaultEmbeddingFunction({
      model: pick("model") ?? pick("model_name") ?? DEFAULT_MODEL,
      revision: pick("revision") ?? "main",
      dtype,
    });
  }

  /** Embeds texts in batches of `batchSize`; loads the model first if needed. */
  async generate(texts: string[]): Promise<number[][]> {
    texts.forEach((t, i) => {
      if (typeof t !== "string") throw invalidArgument(`texts[${i}]`, `expected a string, got ${typeof t}`);
    });
    if (texts.length === 0) return [];
    const model = await getModel(this.#settings, this.#onProgress);
    const out: number[][] = [];
    for (let start = 0; start < texts.length; start += this.#batchSize) {
      const batch = texts.slice(start, start + this.#batchSize);
      try {
        out.push(...(await embedBatch(model, batch)));
      } catch (e) {
        const range = `texts[${start}..${start + batch.length - 1}]`;
        throw new EmbeddingError(
          "EMBEDDING_FAILED",
          `${this.#settings.model} failed on ${range}: ${errorText(e)}`,
          {
            cause: e,
            details: { model: this.#settings.model, start },
          },
        );
      }
    }
    this.#dimension = out[0]?.length ?? this.#dimension;
    return out;
  }

  /** Loads the model now rather than on the first `generate`, e.g. to fail fast at startup. */
  async load(): Promise<void> {
    await getModel(this.#settings, this.#onProgress);
  }

  /** The vectors are unit length; Chroma's Python default EF declares cosine too. */
  defaultSpace(): Space {
    return "cosine";
  }

  /** Every space works on unit vectors. */
  supportedSpaces(): Space[] {
    return ["cosine", "l2", "ip"];
  }

  /** `{ model, revision, dtype }`: what decides the vectors. Never paths, which belong to a machine. */
  getConfig(): { model: string; revision: string; dtype: ModelDtype } {
    const { model, revision, dtype } = this.#settings;
    return { model, revision, dtype };
  }

  /** 384 for all-MiniLM-L6-v2; for other models, known after the first `generate`. */
  dimension(): number | undefined {
    return this.#dimension;
  }
}

/**
 * Options of {@link pullModel}.
 * @example
 * await pullModel({ dir: "./cairn-models", onProgress: ({ file, loaded, total }) => bar.update(file, loaded, total) })
 */
export interface PullModelOptions {
  /** Root to download into (hub layout `<dir>/<org>/<name>/`). Default: the cache dir ({@link defaultModelCacheDir}). */
  dir?: string;
  /** Default `Xenova/all-MiniLM-L6-v2`. */
  model?: string;
  /** Default `fp32`. */
  dtype?: ModelDtype;
  /** Default `main`. */
  revision?: string;
  /** Default env `CAIRN_HF_ENDPOINT`, else the Hugging Face hub. */
  remoteHost?: string;
  /** Connect/read timeout per request. Default 10 000 ms. */
  timeoutMs?: number;
  /** Byte progress per file (only while downloading). */
  onProgress?: (progress: ModelDownloadProgress) => void;
}

/** What {@link pullModel} fetched and verified. */
export interface PullModelResult {
  /** The root directory (absolute): use it as `CAIRN_MODELS_DIR` or `CAIRN_CACHE_DIR`. */
  dir: string;
  /** The model's own directory inside `dir` (`<dir>/<org>/<name>`, or `dir` when it holds the files directly). */
  modelDir: string;
  /** The required files, paths relative to `modelDir`. */
  files: { path: string; bytes: number }[];
  /**
   * Vector length, measured by embedding a probe text when `@cairndb/default-embed` is installed, else
   * `hidden_size` of config.json.
   */
  dimension: number;
}

/**
 * Downloads a model into `dir` (nothing is fetched when `dir` already holds it) through the same code path as
 * {@link DefaultEmbeddingFunction}, checks the required files and, when `@cairndb/default-embed` is installed,
 * loads it once and checks the vector length against `hidden_size` in config.json. `CAIRN_MODELS_DIR` is not
 * consulted. Backs `cairn models pull [--dir]`.
 * @throws EmbeddingError `MODEL_UNAVAILABLE` when the download or the verification fails;
 *   `EMBEDDING_RUNTIME_MISSING` when `@cairndb/default-embed` is installed but cannot be loaded.
 */
export async function pullModel(options: PullModelOptions = {}): Promise<PullModelResult> {
  const { dir, onProgress, ...rest } = options;
  const settings = resolveModelSettings({ ...rest, cacheDir: dir ?? defaultModelCacheDir() }, false);
  const modelDir = await locateModel(settings, onProgress);
  const files = requiredModelFiles(settings.dtype).map((path) => ({
    path,
    bytes: statSync(join(modelDir, path), { throwIfNoEntry: false })?.size ?? 0,
  }));
  let config: { hidden_size?: unknown };
  try {
    config = JSON.parse(readFileSync(join(modelDir, "config.json"), "utf8"));
  } catch (e) {
    throw new EmbeddingError(
      "MODEL_UNAVAILABLE",
      `Model "${settings.model}" in ${modelDir} has an unreadable config.json (${errorText(e)}). Delete the directory and pull again.`,
      { cause: e, details: { dir: modelDir } },
    );
  }
  const expected =
    typeof config.hidden_size === "number" ? config.hidden_size : KNOWN_DIMENSIONS[settings.model];
  // With the runtime installed the model is loaded and a probe embedded; without it (pulling on a machine
  // that only prepares models) the files and config.json are checked.
  let dimension = expected ?? 0;
  if (await runtimeInstalled()) {
    const loaded = await loadModel({ ...settings, modelPath: modelDir });
    try {
      const [probe] = await embedBatch(loaded, ["cairn model check"]);
      dimension = probe?.length ?? 0;
    } finally {
      await loaded.embedder.dispose();
    }
  }
  const missing = files.filter((f) => f.bytes === 0).map((f) => f.path);
  if (missing.length > 0 || dimension === 0 || (expected !== undefined && expected !== dimension)) {
    throw new EmbeddingError(
      "MODEL_UNAVAILABLE",
      `Model "${settings.model}" in ${modelDir} failed verification (missing files: ${missing.join(", ") || "none"}; ` +
        `vector length ${dimension}, expected ${expected ?? "any"}). Delete the directory and pull again.`,
      { details: { dir: modelDir, missing, dimension, expected } },
    );
  }
  return { dir: settings.cacheDir, modelDir, files, dimension };
}

/** Whether `@cairndb/default-embed` can be imported (a broken install still throws). */
async function runtimeInstalled(): Promise<boolean> {
  try {
    await importRuntime();
    return true;
  } catch (e) {
    if ((e as EmbeddingError).code === "EMBEDDING_RUNTIME_MISSING" && isNotInstalled(e)) return false;
    throw e;
  }
}
