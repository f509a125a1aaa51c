/**
 * Finding, downloading and loading transformers.js feature-extraction models for the default embedding
 * function (and `pullModel`). Internal to `embeddings/`: the public surface is in `default.ts`.
 */
import { existsSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { EmbeddingError, invalidArgument } from "../errors";

/** The model Chroma's default embedding function uses (transformers.js port of sentence-transformers'). */
export const DEFAULT_MODEL = "Xenova/all-MiniLM-L6-v2";
const DEFAULT_HUB = "https://huggingface.co/";
/** Vector lengths known without loading the model. */
export const KNOWN_DIMENSIONS: Readonly<Record<string, number>> = { [DEFAULT_MODEL]: 384 };
const MODEL_FILE = { fp32: "onnx/model.onnx", q8: "onnx/model_quantized.onnx" } as const;

/** Weights precision: `fp32` (`onnx/model.onnx`, Chroma's choice) or `q8` (`onnx/model_quantized.onnx`, ~4× smaller). */
export type ModelDtype = keyof typeof MODEL_FILE;

/** Whether a value is a supported dtype. */
export function isModelDtype(value: unknown): value is ModelDtype {
  return typeof value === "string" && Object.hasOwn(MODEL_FILE, value);
}

/** Byte progress of one model file while it downloads. */
export interface ModelDownloadProgress {
  /** File path inside the model directory, e.g. `onnx/model.onnx`. */
  file: string;
  loaded: number;
  /** Total bytes, or 0 when the server did not say. */
  total: number;
}

/**
 * Which model to use and where to find it. Only `model`, `revision` and `dtype` decide the vectors; the rest
 * is a property of the machine.
 * @example { model: "Xenova/all-MiniLM-L6-v2", dtype: "q8", modelPath: "/opt/models" }
 */
export interface ModelLocationOptions {
  /** Hub id of a feature-extraction ONNX model with mean pooling. Default `Xenova/all-MiniLM-L6-v2`. */
  model?: string;
  /** Hub revision. Default `main`. */
  revision?: string;
  /** Default `fp32` (the same vectors as Chroma's default EF). */
  dtype?: ModelDtype;
  /**
   * Use the model from this directory only (no cache, no download). It may hold the model files directly or
   * a `<org>/<name>/` tree (what `cairn models pull --dir` writes). Default: env `CAIRN_MODELS_DIR`, which is
   * searched the same way but falls through to the cache and the hub when the model is not there.
   */
  modelPath?: string;
  /** Download cache. Default env `CAIRN_CACHE_DIR`, else `$XDG_CACHE_HOME/cairn/models` or `~/.cache/cairn/models`. */
  cacheDir?: string;
  /** Hub to download from. Default env `CAIRN_HF_ENDPOINT`, else `HF_ENDPOINT`, else `https://huggingface.co/`. */
  remoteHost?: string;
  /** Connect and read (idle) timeout of each download request, in ms. Default 10 000. */
  timeoutMs?: number;
  /** Set to false to never download (fail with MODEL_UNAVAILABLE instead). Default true. */
  allowDownload?: boolean;
}

/** Which model to load and where from, with every default resolved (by {@link resolveModelSettings}). */
export interface ModelSettings {
  model: string;
  revision: string;
  dtype: ModelDtype;
  modelPath: string | undefined;
  modelsDir: string | undefined;
  cacheDir: string;
  remoteHost: string;
  timeoutMs: number;
  allowDownload: boolean;
}

/** The default download cache: `$CAIRN_CACHE_DIR`, else `$XDG_CACHE_HOME/cairn/models`, else `~/.cache/cairn/models`. */
export function defaultModelCacheDir(): string {
  const explicit = process.env.CAIRN_CACHE_DIR;
  if (explicit) return resolve(explicit);
  return resolve(process.env.XDG_CACHE_HOME || join(homedir(), ".cache"), "cairn", "models");
}

/**
 * Resolves options, environment variables and defaults in one place. `useModelsDir: false` ignores
 * `CAIRN_MODELS_DIR` (for `pullModel`, which must look at its own directory only).
 */
export function resolveModelSettings(options: ModelLocationOptions, useModelsDir = true): ModelSettings {
  const dtype = options.dtype ?? "fp32";
  if (!isModelDtype(dtype))
    throw invalidArgument("dtype", `expected "fp32" or "q8", got ${JSON.stringify(dtype)}`);
  const timeoutMs = options.timeoutMs ?? 10_000;
  if (!(timeoutMs > 0)) throw invalidArgument("timeoutMs", `expected a positive number, got ${timeoutMs}`);
  const host = options.remoteHost || process.env.CAIRN_HF_ENDPOINT || process.env.HF_ENDPOINT || DEFAULT_HUB;
  const modelsDir = useModelsDir ? process.env.CAIRN_MODELS_DIR : undefined;
  return {
    model: options.model ?? DEFAULT_MODEL,
    revision: options.revision ?? "main",
    dtype,
    // Always absolute: transformers.js prefixes anything that looks like "org/name" with its own model path.
    modelPath: options.modelPath ? resolve(options.modelPath) : undefined,
    modelsDir: modelsDir ? resolve(modelsDir) : undefined,
    cacheDir: options.cacheDir ? resolve(options.cacheDir) : defaultModelCacheDir(),
    remoteHost: host.endsWith("/") ? host : `${host}/`,
    timeoutMs,
    allowDownload: options.allowDownload ?? true,
  };
}

/** The files a complete model directory holds for a dtype. */
export function requiredModelFiles(dtype: ModelDtype = "fp32"): string[] {
  return ["config.json", "tokenizer.json", "tokenizer_config.json", MODEL_FILE[dtype]];
}

/** The model's directory under a hub-layout root (the cache or a models dir): `<root>/<org>/<name>[/<rev>]`. */
function hubLayoutDir(root: string, s: ModelSettings): string {
  return s.revision === "main" ? join(root, s.model) : join(root, s.model, s.revision);
}

function isCompleteModelDir(dir: string, dtype: ModelDtype): boolean {
  return requiredModelFiles(dtype).every(
    (f) => (statSync(join(dir, f), { throwIfNoEntry: false })?.size ?? 0) > 0,
  );
}

/** A directory searched for the model: first `<root>/<org>/<name>/`, then `<root>` itself. */
function findIn(root: string, label: string, s: ModelSettings, searched: string[]): string | undefined {
  for (const dir of [hubLayoutDir(root, s), root]) {
    if (isCompleteModelDir(dir, s.dtype)) return dir;
  }
  searched.push(
    `${hubLayoutDir(root, s)} (${label}): ${existsSync(root) ? "incomplete or absent" : "no such directory"}`,
  );
  return undefined;
}

// ---- transformers.js: loaded lazily, once ------------------------------------------------------------------

interface OutputTensor {
  data: Float32Array;
  dims: number[];
  dispose?(): void;
}
type Extractor = (texts: string[], options: { pooling: "mean"; normalize: boolean }) => Promise<OutputTensor>;
interface TransformersModule {
  env: Record<string, unknown>;
  pipeline(task: "feature-extraction", model: string, options: Record<string, unknown>): Promise<Extractor>;
}
/** A loaded feature-extraction pipeline and the directory its files came from. */
export interface LoadedModel {
  extractor: Extractor;
  /** Absolute directory the files were loaded from. */
  dir: string;
}

// Module-level state, deliberately: these cache pure resources (the library module and loaded ONNX sessions,
// which cost ~100 MB each), never settings. The key holds every setting that decides which files are loaded,
// so two clients with different options never share a pipeline, and concurrent first calls share one load.
let transformers: Promise<TransformersModule> | undefined;
const pipelines = new Map<string, Promise<LoadedModel>>();
// transformers.js's `env` is a process-wide singleton, and v4 ignores per-call cache_dir/local_files_only:
// every load sets the global fields it needs, so loads must never interleave. They queue on this chain.
let loadChain: Promise<unknown> = Promise.resolve();

/** Runs `task` after every earlier load has settled (see `loadChain`). */
export function serialised<T>(task: () => Promise<T>): Promise<T> {
  const run = loadChain.then(task, task);
  loadChain = run.catch(() => undefined);
  return run;
}

function importTransformers(): Promise<TransformersModule> {
  transformers ??= (
    import("@huggingface/transformers") as Promise<unknown> as Promise<TransformersModule>
  ).catch((e) => {
    transformers = undefined;
    throw new EmbeddingError(
      "MODEL_UNAVAILABLE",
      `Cannot load @huggingface/transformers (the runtime of the default embedding function): ${errorText(e)}. ` +
        "Reinstall @cairndb/core, or pass another embedding function such as HashEmbeddingFunction or OpenAIEmbeddingFunction.",
      { cause: e },
    );
  });
  return transformers;
}

/** A fetch for transformers.js, plus a way to wait until every request it started has settled. */
interface TrackedFetch {
  fetch: typeof fetch;
  /** Resolves when no request is pending (or after `ms`, whichever comes first). */
  settled(ms: number): Promise<void>;
}

/**
 * A fetch with a connect timeout (no response headers within `ms`) and a read timeout (no body bytes for `ms`).
 * A total timeout would kill a large download on a slow but healthy link. It counts the requests still
 * pending (a 200 body counts until it is read), so a failed load can wait for the requests transformers.js
 * left running before the next load changes the global env.
 */
function trackedFetch(ms: number): TrackedFetch {
  let pending = 0;
  let waiters: (() => void)[] = [];
  const settle = () => {
    if (--pending > 0) return;
    for (const wake of waiters) wake();
    waiters = [];
  };
  const fetchFn: typeof fetch = async (input, init) => {
    pending++;
    let open = true;
    const finish = () => {
      if (!open) return;
      open = false;
      settle();
    };
    const controller = new AbortController();
    const url = String(input instanceof Request ? input.url : input);
    const abort = () => controller.abort(new DOMException(`${url}: no data for ${ms} ms`, "TimeoutError"));
    let timer = setTimeout(abort, ms);
    let response: Response;
    try {
      response = await fetch(input, { ...init, signal: controller.signal });
    } catch (e) {
      finish();
      throw e;
    } finally {
      clearTimeout(timer);
    }
    const reader = response.status === 200 ? response.body?.getReader() : undefined;
    if (!reader) {
      finish();
      return response;
    }
    const body = new ReadableStream<Uint8Array>({
      async pull(stream) {
        timer = setTimeout(abort, ms);
        try {
          const { done, value } = await reader.read();
          if (done) {
            finish();
            stream.close();
          } else stream.enqueue(value);
        } catch (e) {
          finish();
          stream.error(e);
        } finally {
          clearTimeout(timer);
        }
      },
      cancel: (reason) => {
        finish();
        return reader.cancel(reason);
      },
    });
    const { status, statusText, headers } = response;
    return new Response(body, { status, statusText, headers });
  };
  const settled = (limit: number) =>
    pending === 0
      ? Promise.resolve()
      : new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, limit);
          waiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
  return { fetch: fetchFn, settled };
}

/** Runs `task` with transformers' global env set for this load, then restores the previous values. */
async function withEnv<T>(
  tf: TransformersModule,
  settings: Record<string, unknown>,
  task: () => Promise<T>,
): Promise<T> {
  const saved = Object.fromEntries(Object.keys(settings).map((k) => [k, tf.env[k]]));
  Object.assign(tf.env, settings);
  try {
    return await task();
  } finally {
    Object.assign(tf.env, saved);
  }
}

/**
 * Finds the model locally (modelPath, or CAIRN_MODELS_DIR then the cache) or downloads it into the cache, and
 * loads it. Always called through {@link serialised}. Throws `MODEL_UNAVAILABLE` with the places searched.
 */
export async function loadModel(
  s: ModelSettings,
  onProgress?: (p: ModelDownloadProgress) => void,
): Promise<LoadedModel> {
  const searched: string[] = [];
  const local = s.modelPath
    ? findIn(s.modelPath, "modelPath option", s, searched)
    : ((s.modelsDir && findIn(s.modelsDir, "CAIRN_MODELS_DIR", s, searched)) ??
      findIn(s.cacheDir, "cache dir", s, searched));
  const tf = await importTransformers();
  const common = {
    cacheDir: s.cacheDir,
    useFSCache: true,
    useBrowserCache: false,
    useCustomCache: false,
    logLevel: 40,
  };
  // cache_dir per call as well as in env: v4 drops it in some internal calls (so env.cacheDir must be set), and
  // it is part of the key of transformers' in-flight loads, so loads for different cache dirs never share one.
  const options = { dtype: s.dtype, revision: s.revision, cache_dir: s.cacheDir };
  if (local) {
    const offline = { ...common, allowLocalModels: true, allowRemoteModels: false, fetch: refuseFetch };
    try {
      return {
        extractor: await withEnv(tf, offline, () => tf.pipeline("feature-extraction", local, options)),
        dir: local,
      };
    } catch (e) {
      throw new EmbeddingError(
        "MODEL_UNAVAILABLE",
        `Embedding model "${s.model}" was found at ${local} but could not be loaded: ${errorText(e)}. Delete or replace that directory (e.g. with \`cairn models pull\`).`,
        { cause: e, details: { model: s.model, dir: local } },
      );
    }
  }
  if (s.modelPath || !s.allowDownload) throw modelUnavailable(s, searched);
  const net = trackedFetch(s.timeoutMs);
  const online = {
    ...common,
    allowLocalModels: false,
    allowRemoteModels: true,
    remoteHost: s.remoteHost,
    remotePathTemplate: "{model}/resolve/{revision}/",
    fetch: net.fetch,
  };
  const progress =
    onProgress &&
    ((p: { status?: string; file?: string; loaded?: number; total?: number }) => {
      if (p.status === "progress" && p.file)
        onProgress({ file: p.file, loaded: p.loaded ?? 0, total: p.total ?? 0 });
    });
  try {
    const extractor = await withEnv(tf, online, () =>
      tf
        .pipeline("feature-extraction", s.model, {
          ...options,
          ...(progress ? { progress_callback: progress } : {}),
        })
        // pipeline() rejects at the first failed file while sibling requests may still run (and share
        // transformers' in-flight map); let them settle under this env before the next load starts.
        .catch(async (e: unknown) => {
          await net.settled(s.timeoutMs);
          throw e;
        }),
    );
    return { extractor, dir: hubLayoutDir(s.cacheDir, s) };
  } catch (e) {
    throw modelUnavailable(s, [...searched, `download from ${s.remoteHost} failed: ${errorText(e)}`], e);
  }
}

const refuseFetch = () => Promise.reject(new Error("network access is disabled while loading a local model"));

function modelUnavailable(s: ModelSettings, searched: string[], cause?: unknown): EmbeddingError {
  if (!cause)
    searched.push(
      s.modelPath ? "download: skipped (modelPath is set)" : "download: disabled (allowDownload: false)",
    );
  const message = [
    `Embedding model "${s.model}" (revision ${s.revision}, dtype ${s.dtype}) is not available on this machine.`,
    "Searched:",
    ...searched.map((line) => `  - ${line}`),
    "To fix it, do one of:",
    `  1. On a machine with internet access run \`cairn models pull --dir ./cairn-models\`, copy that directory here and set CAIRN_MODELS_DIR to it (or copy its contents into ${s.cacheDir}).`,
    "  2. Point CAIRN_MODELS_DIR (or the modelPath option) at an existing copy of the model directory.",
    "  3. If a mirror of the Hugging Face hub is reachable, set CAIRN_HF_ENDPOINT to it.",
    "  4. Use another embedding function: new HashEmbeddingFunction() (offline, lexical) or new OpenAIEmbeddingFunction(), or create the collection with embeddingFunction: null and pass vectors.",
  ].join("\n");
  return new EmbeddingError("MODEL_UNAVAILABLE", message, {
    cause,
    details: { model: s.model, dtype: s.dtype, searched, cacheDir: s.cacheDir, remoteHost: s.remoteHost },
  });
}

/** `Name: message (cause message)` for error messages. */
export function errorText(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const cause = e.cause instanceof Error ? ` (${e.cause.message})` : "";
  return `${e.name}: ${e.message}${cause}`;
}

/** The shared, lazily loaded model for these settings (one load per process per key). */
export function getModel(
  s: ModelSettings,
  onProgress?: (p: ModelDownloadProgress) => void,
): Promise<LoadedModel> {
  const key = JSON.stringify([
    s.model,
    s.revision,
    s.dtype,
    s.modelPath,
    s.modelsDir,
    s.cacheDir,
    s.remoteHost,
  ]);
  let loading = pipelines.get(key);
  if (!loading) {
    const attempt = serialised(() => loadModel(s, onProgress));
    // A failed load is forgotten, so a later call retries (e.g. after the model was copied in).
    attempt.catch(() => pipelines.get(key) === attempt && pipelines.delete(key));
    pipelines.set(key, attempt);
    loading = attempt;
  }
  return loading;
}

/** Runs one batch through the pipeline with mean pooling and L2 normalisation. */
export async function embedBatch(model: LoadedModel, texts: string[]): Promise<number[][]> {
  const tensor = await model.extractor(texts, { pooling: "mean", normalize: true });
  const [rows = 0, width = 0] = tensor.dims;
  const out: number[][] = [];
  for (let r = 0; r < rows; r++) out.push(Array.from(tensor.data.subarray(r * width, (r + 1) * width)));
  tensor.dispose?.();
  return out;
}
