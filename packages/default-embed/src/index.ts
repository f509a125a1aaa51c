/**
 * `@cairndb/default-embed`: sentence embeddings from an all-MiniLM-L6-v2-style model directory
 * (`tokenizer.json`, `tokenizer_config.json`, `config.json`, `onnx/model.onnx` or `onnx/model_quantized.onnx`):
 * WordPiece/BPE tokenisation with `@huggingface/tokenizers` → ONNX inference → mean pooling over the attention
 * mask → L2 normalisation — the pipeline of transformers.js `feature-extraction` with
 * `{ pooling: "mean", normalize: true }`, which Chroma's JS default embedding function uses.
 *
 * Inference runs on `onnxruntime-node` (native, fastest) when it is installed, else on `onnxruntime-web`
 * (WebAssembly, no install scripts, a dependency of this package). Nothing is downloaded here: finding or
 * fetching the model files is the caller's job (`@cairndb/core` does it for `DefaultEmbeddingFunction`).
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { Tokenizer } from "@huggingface/tokenizers";

/** Weights precision: `fp32` reads `onnx/model.onnx`, `q8` reads `onnx/model_quantized.onnx`. */
export type EmbedderDtype = "fp32" | "q8";

/** Which ONNX runtime runs the model. `auto` (the default) is `node` when installed, else `wasm`. */
export type EmbedderRuntime = "auto" | "node" | "wasm";

/**
 * Stable codes of {@link EmbedderError}: `RUNTIME_UNAVAILABLE` (the requested runtime package is not installed
 * or cannot be loaded), `MODEL_LOAD_FAILED` (a model file is missing or unreadable, or the ONNX session could
 * not be created), `INVALID_INPUT` (invalid options or input texts), `INFERENCE_FAILED` (tokenisation or
 * inference failed on a batch).
 */
export const EMBEDDER_ERROR_CODES = [
  "RUNTIME_UNAVAILABLE",
  "MODEL_LOAD_FAILED",
  "INVALID_INPUT",
  "INFERENCE_FAILED",
] as const;

/** A stable code of {@link EmbedderError}, see {@link EMBEDDER_ERROR_CODES}. */
export type EmbedderErrorCode = (typeof EMBEDDER_ERROR_CODES)[number];

/**
 * What {@link createEmbedder} and {@link Embedder.embed} throw: `code` says which step failed, `message` what
 * was wrong and what to do, `cause` holds the underlying error.
 */
export class EmbedderError extends Error {
  override readonly name = "EmbedderError";
  /** Stable code, see {@link EmbedderErrorCode}. */
  readonly code: EmbedderErrorCode;

  constructor(code: EmbedderErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/**
 * Options of {@link createEmbedder}.
 * @example { modelDir: "/models/Xenova/all-MiniLM-L6-v2", dtype: "q8", runtime: "wasm" }
 */
export interface EmbedderOptions {
  /** Directory holding the model files directly (`config.json`, `tokenizer.json`, `onnx/…`). */
  modelDir: string;
  /** Default `fp32`. */
  dtype?: EmbedderDtype;
  /** Default `auto`. */
  runtime?: EmbedderRuntime;
  /** Texts per inference call in {@link Embedder.embed}. Default 32. */
  batchSize?: number;
  /**
   * Longer inputs are truncated to this many tokens (special tokens included). Default `model_max_length` of
   * tokenizer_config.json (512 for all-MiniLM-L6-v2, as in transformers.js), else 512.
   */
  maxLength?: number;
}

/** A loaded model. One instance holds one ONNX session; share it rather than loading the model twice. */
export interface Embedder {
  /** Vector length (`hidden_size` of config.json, else measured on a probe text at load). */
  readonly dimension: number;
  /** The runtime actually in use. */
  readonly runtime: "node" | "wasm";
  /** Absolute model file the session was created from. */
  readonly modelFile: string;
  /**
   * Unit-length embeddings, one per text, in order; `[]` for `[]`. Runs in batches of `batchSize` (the
   * option of {@link createEmbedder}, or of this call).
   */
  embed(texts: string[], options?: { batchSize?: number }): Promise<number[][]>;
  /** Releases the ONNX session. Later `embed` calls fail. */
  dispose(): Promise<void>;
}

/** The model file a dtype reads, relative to the model directory. */
export const MODEL_FILES: Readonly<Record<EmbedderDtype, string>> = {
  fp32: "onnx/model.onnx",
  q8: "onnx/model_quantized.onnx",
};

// ---- the part of the onnxruntime API used here (identical in onnxruntime-node and onnxruntime-web) --------

interface OrtTensor {
  readonly data: unknown;
  readonly dims: readonly number[];
  readonly type: string;
  dispose?(): void;
}
interface OrtSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  run(feeds: Record<string, OrtTensor>): Promise<Record<string, OrtTensor>>;
  release(): Promise<void>;
}
/** The subset of an onnxruntime module this package calls. */
export interface OrtModule {
  InferenceSession: { create(model: Uint8Array, options?: object): Promise<OrtSession> };
  Tensor: new (type: "int64", data: BigInt64Array, dims: readonly number[]) => OrtTensor;
  env?: { wasm?: { numThreads?: number } };
}

/** Loads a runtime package. Replaceable in tests through {@link EmbedderOptionsInternal}. */
export type RuntimeLoader = (name: "onnxruntime-node" | "onnxruntime-web") => Promise<OrtModule>;

const defaultLoader: RuntimeLoader = async (name) => {
  const mod = (await (name === "onnxruntime-node"
    ? import("onnxruntime-node")
    : import("onnxruntime-web"))) as unknown as OrtModule & { default?: OrtModule };
  // CJS builds (and some bundlers) put the API under `default`.
  return mod.InferenceSession ? mod : (mod.default as OrtModule);
};

const INSTALL_HINT: Record<"node" | "wasm", string> = {
  node: "npm install onnxruntime-node",
  wasm: "npm install onnxruntime-web",
};

const runtimes = new Map<"node" | "wasm", Promise<OrtModule>>();

/** Imports a runtime once per process; a failed import is retried on the next call. */
function importRuntime(kind: "node" | "wasm", loader: RuntimeLoader): Promise<OrtModule> {
  if (loader !== defaultLoader) return loadRuntime(kind, loader);
  let loading = runtimes.get(kind);
  if (!loading) {
    loading = loadRuntime(kind, loader);
    loading.catch(() => runtimes.delete(kind));
    runtimes.set(kind, loading);
  }
  return loading;
}

async function loadRuntime(kind: "node" | "wasm", loader: RuntimeLoader): Promise<OrtModule> {
  const name = kind === "node" ? "onnxruntime-node" : "onnxruntime-web";
  let ort: OrtModule;
  try {
    ort = await loader(name);
  } catch (e) {
    throw new EmbedderError(
      "RUNTIME_UNAVAILABLE",
      `Cannot load ${name}: ${describe(e)}. Install it with \`${INSTALL_HINT[kind]}\`` +
        (kind === "node" ? ', or use runtime "wasm" (onnxruntime-web, installed with this package).' : "."),
      { cause: e },
    );
  }
  if (typeof ort?.InferenceSession?.create !== "function" || typeof ort.Tensor !== "function") {
    throw new EmbedderError(
      "RUNTIME_UNAVAILABLE",
      `${name} loaded but does not export InferenceSession/Tensor.`,
    );
  }
  // Threads in WASM need worker files and cross-origin isolation in browsers; in Node one thread is the
  // reliable choice (and the default onnxruntime-web picks when it cannot spawn workers).
  if (kind === "wasm" && ort.env?.wasm) ort.env.wasm.numThreads = 1;
  return ort;
}

/** Picks the runtime: `auto` tries the native one, then WASM. */
async function resolveRuntime(
  runtime: EmbedderRuntime,
  loader: RuntimeLoader,
): Promise<{ kind: "node" | "wasm"; ort: OrtModule }> {
  if (runtime === "node" || runtime === "wasm")
    return { kind: runtime, ort: await importRuntime(runtime, loader) };
  try {
    return { kind: "node", ort: await importRuntime("node", loader) };
  } catch (nodeError) {
    try {
      return { kind: "wasm", ort: await importRuntime("wasm", loader) };
    } catch (wasmError) {
      throw new EmbedderError(
        "RUNTIME_UNAVAILABLE",
        `No ONNX runtime could be loaded: onnxruntime-node (${describe(nodeError)}), onnxruntime-web (${describe(
          wasmError,
        )}). Reinstall @cairndb/default-embed (it depends on onnxruntime-web), or run \`npm install onnxruntime-node\`.`,
        { cause: wasmError },
      );
    }
  }
}

function describe(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  return e instanceof EmbedderError ? e.message : `${e.name}: ${e.message}`;
}

async function readJson(dir: string, file: string, required: boolean): Promise<Record<string, unknown>> {
  const path = join(dir, file);
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (e) {
    if (!required && (e as NodeJS.ErrnoException).code === "ENOENT") return {};
    throw new EmbedderError("MODEL_LOAD_FAILED", `Cannot read ${path}: ${describe(e)}.`, { cause: e });
  }
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== "object" || value === null || Array.isArray(value))
      throw new Error("not a JSON object");
    return value as Record<string, unknown>;
  } catch (e) {
    throw new EmbedderError(
      "MODEL_LOAD_FAILED",
      `${path} is not valid JSON (${describe(e)}); the file is damaged: download the model again.`,
      { cause: e },
    );
  }
}

function positiveInteger(name: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1) {
    throw new EmbedderError("INVALID_INPUT", `${name}: expected a positive integer, got ${String(value)}.`);
  }
  return value;
}

/** The test seam: the options plus a replacement for the runtime import. Not for applications. */
export interface EmbedderOptionsInternal extends EmbedderOptions {
  /** Replaces `import("onnxruntime-node" | "onnxruntime-web")`. */
  loadRuntime?: RuntimeLoader;
}

/**
 * Loads the tokenizer and the ONNX model of `options.modelDir` on the chosen runtime.
 * @throws EmbedderError `RUNTIME_UNAVAILABLE`, `MODEL_LOAD_FAILED` or `INVALID_INPUT`.
 * @example
 * const embedder = await createEmbedder({ modelDir: "./models/Xenova/all-MiniLM-L6-v2" });
 * const [v] = await embedder.embed(["hello world"]); // embedder.dimension numbers, unit length
 */
export async function createEmbedder(options: EmbedderOptions): Promise<Embedder> {
  const {
    modelDir,
    dtype = "fp32",
    runtime = "auto",
    loadRuntime: loader = defaultLoader,
  } = options as EmbedderOptionsInternal;
  if (typeof modelDir !== "string" || modelDir === "") {
    throw new EmbedderError("INVALID_INPUT", "modelDir: expected the path of a model directory.");
  }
  if (!Object.hasOwn(MODEL_FILES, dtype)) {
    throw new EmbedderError("INVALID_INPUT", `dtype: expected "fp32" or "q8", got ${JSON.stringify(dtype)}.`);
  }
  if (!["auto", "node", "wasm"].includes(runtime)) {
    throw new EmbedderError(
      "INVALID_INPUT",
      `runtime: expected "auto", "node" or "wasm", got ${JSON.stringify(runtime)}.`,
    );
  }
  const batchSize = positiveInteger("batchSize", options.batchSize ?? 32);

  const [tokenizerJson, tokenizerConfig, config] = await Promise.all([
    readJson(modelDir, "tokenizer.json", true),
    readJson(modelDir, "tokenizer_config.json", true),
    readJson(modelDir, "config.json", false),
  ]);
  const configMax = tokenizerConfig.model_max_length;
  // Tokenizers without a real limit store a huge sentinel (1e30); 512 is BERT's position-embedding size.
  const maxLength = positiveInteger(
    "maxLength",
    options.maxLength ??
      (typeof configMax === "number" && Number.isInteger(configMax) && configMax > 0 && configMax < 1e6
        ? configMax
        : 512),
  );
  let tokenizer: Tokenizer;
  try {
    tokenizer = new Tokenizer(tokenizerJson, tokenizerConfig);
  } catch (e) {
    throw new EmbedderError(
      "MODEL_LOAD_FAILED",
      `${join(modelDir, "tokenizer.json")} could not be loaded as a tokenizer: ${describe(e)}.`,
      { cause: e },
    );
  }
  const padId = padTokenId(tokenizer, tokenizerConfig);

  const { kind, ort } = await resolveRuntime(runtime, loader);
  const modelFile = join(modelDir, MODEL_FILES[dtype]);
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(modelFile));
  } catch (e) {
    throw new EmbedderError("MODEL_LOAD_FAILED", `Cannot read ${modelFile}: ${describe(e)}.`, { cause: e });
  }
  let session: OrtSession;
  try {
    session = await ort.InferenceSession.create(bytes, {
      executionProviders: [kind === "node" ? "cpu" : "wasm"],
      graphOptimizationLevel: "all",
    });
  } catch (e) {
    throw new EmbedderError(
      "MODEL_LOAD_FAILED",
      `${modelFile} could not be loaded by ${kind === "node" ? "onnxruntime-node" : "onnxruntime-web"}: ${describe(e)}. ` +
        "The file may be damaged or not an ONNX model: download the model again.",
      { cause: e },
    );
  }
  const outputName =
    ["last_hidden_state", "token_embeddings", "logits"].find((n) => session.outputNames.includes(n)) ??
    session.outputNames[0];
  if (outputName === undefined || !session.inputNames.includes("input_ids")) {
    await session.release();
    throw new EmbedderError(
      "MODEL_LOAD_FAILED",
      `${modelFile} is not a feature-extraction model (inputs: ${session.inputNames.join(", ")}; outputs: ${session.outputNames.join(", ")}); expected an input_ids input and a last_hidden_state output.`,
    );
  }

  let released = false;
  const runBatch = async (texts: string[]): Promise<number[][]> => {
    const encoded = texts.map((text) => {
      const { ids, attention_mask } = tokenizer.encode(text);
      return ids.length > maxLength
        ? { ids: ids.slice(0, maxLength), mask: attention_mask.slice(0, maxLength) }
        : { ids, mask: attention_mask };
    });
    const rows = encoded.length;
    const seq = Math.max(...encoded.map((e) => e.ids.length));
    const ids = new BigInt64Array(rows * seq).fill(BigInt(padId));
    const mask = new BigInt64Array(rows * seq);
    encoded.forEach((e, r) => {
      for (let t = 0; t < e.ids.length; t++) {
        ids[r * seq + t] = BigInt(e.ids[t] as number);
        mask[r * seq + t] = BigInt(e.mask[t] as number);
      }
    });
    const dims = [rows, seq];
    const feeds: Record<string, OrtTensor> = {
      input_ids: new ort.Tensor("int64", ids, dims),
    };
    if (session.inputNames.includes("attention_mask"))
      feeds.attention_mask = new ort.Tensor("int64", mask, dims);
    // Single texts are segment 0 throughout, which is what transformers.js feeds when it adds the input.
    if (session.inputNames.includes("token_type_ids"))
      feeds.token_type_ids = new ort.Tensor("int64", new BigInt64Array(rows * seq), dims);
    const outputs = await session.run(feeds);
    const hidden = outputs[outputName];
    try {
      if (!hidden || !(hidden.data instanceof Float32Array) || hidden.dims.length !== 3) {
        throw new Error(
          `output "${outputName}" is not a float32 [batch, sequence, hidden] tensor (got ${hidden?.type} [${hidden?.dims.join(", ")}])`,
        );
      }
      return meanPoolNormalise(hidden.data, hidden.dims as [number, number, number], mask);
    } finally {
      for (const t of Object.values(outputs)) t.dispose?.();
    }
  };

  const embed = async (texts: string[], callOptions?: { batchSize?: number }): Promise<number[][]> => {
    const size =
      callOptions?.batchSize === undefined ? batchSize : positiveInteger("batchSize", callOptions.batchSize);
    if (!Array.isArray(texts))
      throw new EmbedderError("INVALID_INPUT", "texts: expected an array of strings.");
    const bad = texts.findIndex((t) => typeof t !== "string");
    if (bad !== -1) {
      throw new EmbedderError("INVALID_INPUT", `texts[${bad}]: expected a string, got ${typeof texts[bad]}.`);
    }
    if (released) throw new EmbedderError("INVALID_INPUT", "embed() called after dispose().");
    const out: number[][] = [];
    for (let start = 0; start < texts.length; start += size) {
      const batch = texts.slice(start, start + size);
      try {
        out.push(...(await runBatch(batch)));
      } catch (e) {
        throw new EmbedderError(
          "INFERENCE_FAILED",
          `Embedding texts[${start}..${start + batch.length - 1}] failed: ${describe(e)}.`,
          { cause: e },
        );
      }
    }
    return out;
  };

  let dimension = typeof config.hidden_size === "number" ? config.hidden_size : 0;
  if (!dimension) dimension = (await embed(["dimension probe"]))[0]?.length ?? 0;
  return {
    dimension,
    runtime: kind,
    modelFile,
    embed,
    async dispose() {
      if (released) return;
      released = true;
      await session.release();
    },
  };
}

function padTokenId(tokenizer: Tokenizer, tokenizerConfig: Record<string, unknown>): number {
  const configured = tokenizerConfig.pad_token;
  const name =
    typeof configured === "string"
      ? configured
      : typeof (configured as { content?: unknown } | undefined)?.content === "string"
        ? (configured as { content: string }).content
        : "[PAD]";
  return tokenizer.token_to_id(name) ?? 0;
}

/**
 * Mean of the token vectors where the attention mask is 1, then divided by its L2 norm; sums in float64 like
 * transformers.js, results rounded to float32.
 */
export function meanPoolNormalise(
  hidden: Float32Array,
  [rows, seq, width]: readonly [number, number, number],
  mask: BigInt64Array,
): number[][] {
  const out: number[][] = [];
  const pooled = new Float32Array(width);
  const sums = new Float64Array(width);
  for (let r = 0; r < rows; r++) {
    // Token-major: each masked token's row is read once, contiguously (every sum still adds in token order).
    sums.fill(0);
    let count = 0;
    for (let t = 0; t < seq; t++) {
      if (mask[r * seq + t] === 0n) continue;
      count++;
      const base = (r * seq + t) * width;
      for (let d = 0; d < width; d++) sums[d] = (sums[d] as number) + (hidden[base + d] as number);
    }
    for (let d = 0; d < width; d++) pooled[d] = count > 0 ? (sums[d] as number) / count : 0;
    let squares = 0;
    for (let d = 0; d < width; d++) squares += (pooled[d] as number) ** 2;
    const norm = Math.sqrt(squares);
    // A zero vector stays zero (transformers.js would divide by zero and return NaN).
    if (norm > 0) for (let d = 0; d < width; d++) pooled[d] = (pooled[d] as number) / norm;
    out.push(Array.from(pooled));
  }
  return out;
}
