/**
 * Finding, downloading and loading the sentence-transformer ONNX models of the default embedding function (and
 * `pullModel`). Downloads are plain fetches into the cache; inference is `@cairndb/default-embed`, an optional
 * peer dependency imported on first use. Internal to `embeddings/`: the public surface is in `default.ts`.
 */
import { existsSync, statSync } from "node:fs";
import { type FileHandle, mkdir, open, rename, rm } from "node:fs/promises";
import { homedir } from "node:os";
import { dirname, join, resolve } from "node:path";
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

// ---- the runtime: @cairndb/default-embed, imported lazily, once -------------------------------------------

/** The part of `@cairndb/default-embed` core uses (kept structural: core has no type dependency on it). */
export interface RuntimeEmbedder {
  readonly dimension: number;
  readonly runtime: string;
  embed(texts: string[], options?: { batchSize?: number }): Promise<number[][]>;
  dispose(): Promise<void>;
}
/** What `import("@cairndb/default-embed")` must provide. */
export interface RuntimeModule {
  createEmbedder(options: {
    modelDir: string;
    dtype: ModelDtype;
    batchSize?: number;
  }): Promise<RuntimeEmbedder>;
}
/** A loaded model and the directory its files came from. */
export interface LoadedModel {
  embedder: RuntimeEmbedder;
  /** Absolute directory the files were loaded from. */
  dir: string;
}

/** The package that runs the default embedding function, and the one command that installs it. */
export const RUNTIME_PACKAGE = "@cairndb/default-embed";
export const RUNTIME_INSTALL = `npm install ${RUNTIME_PACKAGE}`;

const importDefaultEmbed = (): Promise<unknown> => import("@cairndb/default-embed");
let runtimeImporter: () => Promise<unknown> = importDefaultEmbed;
// Module-level state, deliberately: these cache pure resources (the runtime module and loaded ONNX sessions,
// which cost ~100 MB each), never settings. The key of `models` holds every setting that decides which files
// are loaded, so two clients with different options never share a session, and concurrent first calls share
// one load.
let runtime: Promise<RuntimeModule> | undefined;
const models = new Map<string, Promise<LoadedModel>>();

/**
 * Test seam: replaces `import("@cairndb/default-embed")` (pass nothing to restore it) and forgets the loaded
 * runtime and models. Not exported from the package.
 */
export function setRuntimeImporter(importer?: () => Promise<unknown>): void {
  runtimeImporter = importer ?? importDefaultEmbed;
  runtime = undefined;
  models.clear();
}

/**
 * Whether the import failed because the package itself is absent, not one of its dependencies (whose message
 * names the missing dependency, "imported from …/@cairndb/default-embed/…").
 */
function isModuleNotFound(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return (
    (code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND") &&
    String((e as Error).message).includes(`'${RUNTIME_PACKAGE}'`)
  );
}

/** The runtime module; `EMBEDDING_RUNTIME_MISSING` when it is not installed or does not load. */
export function importRuntime(): Promise<RuntimeModule> {
  runtime ??= runtimeImporter().then(
    (loaded) => {
      const mod = loaded as Partial<RuntimeModule> & { default?: Partial<RuntimeModule> };
      const createEmbedder = mod.createEmbedder ?? mod.default?.createEmbedder;
      if (typeof createEmbedder !== "function") {
        throw new EmbeddingError(
          "EMBEDDING_RUNTIME_MISSING",
          `${RUNTIME_PACKAGE} was loaded but has no createEmbedder export: the installed version does not match @cairndb/core. Reinstall it with \`${RUNTIME_INSTALL}\`.`,
        );
      }
      return { createEmbedder } as RuntimeModule;
    },
    (e: unknown) => {
      throw runtimeMissing(e);
    },
  );
  runtime.catch(() => {
    runtime = undefined;
  });
  return runtime;
}

/** Whether an `EMBEDDING_RUNTIME_MISSING` error means "not installed" (rather than "installed but broken"). */
export function isNotInstalled(e: unknown): boolean {
  return (e as EmbeddingError | undefined)?.details?.installed === false;
}

function runtimeMissing(e: unknown): EmbeddingError {
  const installed = !isModuleNotFound(e);
  const problem = installed ? `could not be loaded (${errorText(e)})` : "is not installed";
  return new EmbeddingError(
    "EMBEDDING_RUNTIME_MISSING",
    `The default embedding function runs its model with ${RUNTIME_PACKAGE}, which ${problem}. ` +
      `Install it with \`${RUNTIME_INSTALL}\`, or use another embedding function (HashEmbeddingFunction, ` +
      "OpenAIEmbeddingFunction), or create the collection with embeddingFunction: null and pass vectors.",
    { cause: e, details: { package: RUNTIME_PACKAGE, install: RUNTIME_INSTALL, installed } },
  );
}

// ---- downloads: plain fetch, temp file then rename ----------------------------------------------------------

/**
 * Fetches `url` into `target`: a connect timeout (no response headers within `ms`) and a read timeout (no body
 * bytes for `ms`); a total timeout would kill a large download on a slow but healthy link. The bytes go to a
 * temp file in the same directory, flushed to disk, then renamed over `target`, so `target` is either absent or
 * complete, whatever happens to this process.
 */
async function fetchToFile(
  url: string,
  target: string,
  ms: number,
  progress?: (loaded: number, total: number) => void,
): Promise<void> {
  const controller = new AbortController();
  const abort = () => controller.abort(new DOMException(`${url}: no data for ${ms} ms`, "TimeoutError"));
  let timer = setTimeout(abort, ms);
  const temp = `${target}.part-${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
  let file: FileHandle | undefined;
  try {
    const response = await fetch(url, { signal: controller.signal, redirect: "follow" });
    if (response.status !== 200 || !response.body) {
      await response.body?.cancel().catch(() => undefined);
      throw new Error(`HTTP ${response.status} ${response.statusText} for ${url}`.replace("  ", " "));
    }
    const total = Number(response.headers.get("content-length")) || 0;
    file = await open(temp, "w");
    let loaded = 0;
    const reader = response.body.getReader();
    for (;;) {
      clearTimeout(timer);
      timer = setTimeout(abort, ms);
      const { done, value } = await reader.read();
      if (done) break;
      await file.write(value);
      loaded += value.byteLength;
      progress?.(loaded, total);
    }
    if (total > 0 && loaded !== total) throw new Error(`${url}: got ${loaded} of ${total} bytes`);
    await file.sync();
    await file.close();
    file = undefined;
    await rename(temp, target);
  } catch (e) {
    await file?.close().catch(() => undefined);
    await rm(temp, { force: true }).catch(() => undefined);
    throw e;
  } finally {
    clearTimeout(timer);
  }
}

/** Downloads the files of `s.dtype` that `dir` lacks from the hub into `dir` (hub URL layout). */
async function download(
  s: ModelSettings,
  dir: string,
  onProgress?: (p: ModelDownloadProgress) => void,
): Promise<void> {
  const base = `${s.remoteHost}${s.model.split("/").map(encodeURIComponent).join("/")}/resolve/${encodeURIComponent(s.revision)}/`;
  for (const file of requiredModelFiles(s.dtype)) {
    const target = join(dir, file);
    // Files only ever appear complete (see fetchToFile), so a present file is kept: an interrupted pull resumes.
    if ((statSync(target, { throwIfNoEntry: false })?.size ?? 0) > 0) continue;
    await mkdir(dirname(target), { recursive: true });
    await fetchToFile(
      `${base}${file}`,
      target,
      s.timeoutMs,
      onProgress && ((loaded, total) => onProgress({ file, loaded, total })),
    );
  }
}

/**
 * The model's directory: found locally (modelPath, or CAIRN_MODELS_DIR then the cache) or downloaded into the
 * cache. Throws `MODEL_UNAVAILABLE` with the places searched. Needs no runtime, so `pullModel` works without it.
 */
export async function locateModel(
  s: ModelSettings,
  onProgress?: (p: ModelDownloadProgress) => void,
): Promise<string> {
  const searched: string[] = [];
  const local = s.modelPath
    ? findIn(s.modelPath, "modelPath option", s, searched)
    : ((s.modelsDir && findIn(s.modelsDir, "CAIRN_MODELS_DIR", s, searched)) ??
      findIn(s.cacheDir, "cache dir", s, searched));
  if (local) return local;
  if (s.modelPath || !s.allowDownload) throw modelUnavailable(s, searched);
  const dir = hubLayoutDir(s.cacheDir, s);
  try {
    await download(s, dir, onProgress);
  } catch (e) {
    throw modelUnavailable(s, [...searched, `download from ${s.remoteHost} failed: ${errorText(e)}`], e);
  }
  return dir;
}

/**
 * Imports the runtime (first, so a missing runtime is reported before any download), finds or downloads the
 * model, and loads it. Throws `EMBEDDING_RUNTIME_MISSING` or `MODEL_UNAVAILABLE`.
 */
export async function loadModel(
  s: ModelSettings,
  onProgress?: (p: ModelDownloadProgress) => void,
): Promise<LoadedModel> {
  const { createEmbedder } = await importRuntime();
  const dir = await locateModel(s, onProgress);
  try {
    return { embedder: await createEmbedder({ modelDir: dir, dtype: s.dtype }), dir };
  } catch (e) {
    if ((e as { code?: unknown }).code === "RUNTIME_UNAVAILABLE") throw runtimeMissing(e);
    throw new EmbeddingError(
      "MODEL_UNAVAILABLE",
      `Embedding model "${s.model}" was found at ${dir} but could not be loaded: ${errorText(e)}. Delete or replace that directory (e.g. with \`cairn models pull\`).`,
      { cause: e, details: { model: s.model, dir } },
    );
  }
}

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
  let loading = models.get(key);
  if (!loading) {
    const attempt = loadModel(s, onProgress);
    // A failed load is forgotten, so a later call retries (e.g. after the model was copied in).
    attempt.catch(() => models.get(key) === attempt && models.delete(key));
    models.set(key, attempt);
    loading = attempt;
  }
  return loading;
}

/** Runs one batch through the model: mean pooling and L2 normalisation (done by the runtime). */
export function embedBatch(model: LoadedModel, texts: string[]): Promise<number[][]> {
  return model.embedder.embed(texts, { batchSize: Math.max(1, texts.length) });
}
