/**
 * createEmbedder on the tiny generated model (see @cairndb/testing's tiny-model), on both runtimes: parity with
 * transformers.js feature-extraction (mean pooling + normalize), batching, truncation, empty input, and the
 * errors for a missing runtime or damaged files.
 */
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateTinyModel } from "@cairndb/testing";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import {
  createEmbedder,
  type EmbedderDtype,
  EmbedderError,
  type EmbedderOptionsInternal,
  meanPoolNormalise,
} from "../src/index";

const tinyModelDir = inject("tinyModelDir");
const TEXTS = [
  "The cat sat on the mat.",
  "hello world",
  "a vector database for search",
  "Zyxq unknownword! €",
  "",
  "dogs and cats runs fast, the red car is blue",
];

let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "cairn-default-embed-"));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

const norm = (v: number[]) => Math.sqrt(v.reduce((s, x) => s + x * x, 0));
const maxAbsDiff = (a: number[][], b: number[][]) => {
  expect(a.length).toBe(b.length);
  return Math.max(0, ...a.flatMap((row, i) => row.map((v, j) => Math.abs(v - (b[i]?.[j] ?? Number.NaN)))));
};

async function rejection(promise: Promise<unknown>): Promise<EmbedderError> {
  try {
    await promise;
  } catch (e) {
    return e as EmbedderError;
  }
  throw new Error("expected a rejection");
}

interface TransformersLike {
  env: Record<string, unknown>;
  pipeline(
    task: "feature-extraction",
    model: string,
    options: object,
  ): Promise<
    ((texts: string[], o: object) => Promise<{ data: Float32Array; dims: number[] }>) & {
      dispose(): Promise<void>;
    }
  >;
}

/**
 * transformers.js's vectors for TEXTS: feature-extraction, mean pooling, normalize. Its Node build runs on
 * onnxruntime-node only (device "cpu"), so it is the reference for both of our runtimes.
 */
async function transformersVectors(dtype: EmbedderDtype): Promise<number[][]> {
  const tf = (await import("@huggingface/transformers")) as unknown as TransformersLike;
  tf.env.allowRemoteModels = false;
  tf.env.allowLocalModels = true;
  const extractor = await tf.pipeline("feature-extraction", tinyModelDir, { dtype, device: "cpu" });
  const out = await extractor(TEXTS, { pooling: "mean", normalize: true });
  await extractor.dispose();
  const [rows = 0, width = 0] = out.dims;
  return Array.from({ length: rows }, (_, r) => Array.from(out.data.subarray(r * width, (r + 1) * width)));
}

describe.each(["node", "wasm"] as const)("createEmbedder on the %s runtime", (runtime) => {
  it.each(["fp32", "q8"] as const)(
    "%s: gives transformers.js's vectors (|diff| < 1e-5), unit length",
    async (dtype) => {
      const embedder = await createEmbedder({ modelDir: tinyModelDir, dtype, runtime });
      expect(embedder.runtime).toBe(runtime);
      expect(embedder.dimension).toBe(384);
      expect(embedder.modelFile).toBe(
        join(tinyModelDir, dtype === "q8" ? "onnx/model_quantized.onnx" : "onnx/model.onnx"),
      );
      const ours = await embedder.embed(TEXTS);
      const theirs = await transformersVectors(dtype);
      expect(maxAbsDiff(ours, theirs)).toBeLessThan(1e-5);
      for (const v of ours) {
        expect(v).toHaveLength(384);
        expect(norm(v)).toBeCloseTo(1, 5);
      }
      await embedder.dispose();
    },
  );

  it("is independent of batch size and padding; [] gives []", async () => {
    const texts = Array.from({ length: 10 }, (_, i) => `${"word ".repeat(i)}document ${i}`);
    const big = await createEmbedder({ modelDir: tinyModelDir, runtime, batchSize: 32 });
    const small = await createEmbedder({ modelDir: tinyModelDir, runtime, batchSize: 3 });
    const all = await big.embed(texts);
    expect(await small.embed(texts)).toHaveLength(10);
    expect(maxAbsDiff(await small.embed(texts), all)).toBeLessThan(1e-6);
    const single: number[][] = [];
    for (const t of texts) single.push(...(await big.embed([t])));
    expect(maxAbsDiff(single, all)).toBeLessThan(1e-6);
    expect(await big.embed(texts)).toEqual(all);
    expect(await big.embed([])).toEqual([]);
    await big.dispose();
    await small.dispose();
  });

  it("prints the time to embed 100 sentences (not asserted)", async () => {
    const embedder = await createEmbedder({ modelDir: tinyModelDir, runtime });
    const texts = Array.from({ length: 100 }, (_, i) => `sentence number ${i}: the cat sat on the mat`);
    await embedder.embed(texts.slice(0, 2));
    const started = performance.now();
    expect(await embedder.embed(texts)).toHaveLength(100);
    console.log(
      `[timing] ${runtime} runtime, tiny model, 100 sentences: ${(performance.now() - started).toFixed(1)} ms`,
    );
    await embedder.dispose();
  });
});

describe("createEmbedder: pooling", () => {
  it("equals a hand-computed attention-masked mean of transformers.js's raw hidden states, L2-normalised", async () => {
    type RawPipeline = ((texts: string[], o: object) => Promise<{ data: Float32Array; dims: number[] }>) & {
      tokenizer(texts: string[], o: object): { attention_mask: { data: BigInt64Array; dims: number[] } };
      dispose(): Promise<void>;
    };
    const tf = (await import("@huggingface/transformers")) as unknown as {
      env: Record<string, unknown>;
      pipeline(task: string, model: string, options: object): Promise<RawPipeline>;
    };
    tf.env.allowRemoteModels = false;
    const raw = await tf.pipeline("feature-extraction", tinyModelDir, { dtype: "fp32", device: "cpu" });
    const hidden = await raw(TEXTS, { pooling: "none" });
    const mask = raw.tokenizer(TEXTS, { padding: true, truncation: true }).attention_mask;
    await raw.dispose();
    const [n = 0, seq = 0, dim = 0] = hidden.dims;
    expect(mask.dims).toEqual([n, seq]);
    const expected: number[][] = [];
    for (let i = 0; i < n; i++) {
      const sum = new Float64Array(dim);
      let count = 0;
      for (let t = 0; t < seq; t++) {
        if (mask.data[i * seq + t] === 0n) continue;
        count++;
        for (let d = 0; d < dim; d++)
          sum[d] = (sum[d] as number) + (hidden.data[(i * seq + t) * dim + d] as number);
      }
      const mean = Array.from(sum, (v) => v / count);
      const length = norm(mean);
      expected.push(mean.map((v) => v / length));
    }
    const embedder = await createEmbedder({ modelDir: tinyModelDir, runtime: "node" });
    const actual = await embedder.embed(TEXTS);
    await embedder.dispose();
    expect(maxAbsDiff(actual, expected)).toBeLessThan(1e-6);
    // Not CLS pooling: the first token's vector is different.
    const cls = Array.from(hidden.data.subarray(0, dim));
    expect(maxAbsDiff(actual.slice(0, 1), [cls.map((v) => v / norm(cls))])).toBeGreaterThan(1e-3);
  });
});

describe("createEmbedder: inputs and limits", () => {
  it("truncates to maxLength tokens (special tokens included)", async () => {
    // The first 8 tokens are "[CLS] hello world world world world world world": equal after truncation.
    const prefix = `hello ${"world ".repeat(6)}`;
    const texts = [`${prefix}cat dog fish apple`, `${prefix}red blue green car`];
    const truncated = await createEmbedder({ modelDir: tinyModelDir, runtime: "wasm", maxLength: 8 });
    const full = await createEmbedder({ modelDir: tinyModelDir, runtime: "wasm" });
    const [a, b] = await truncated.embed(texts);
    expect(a).toEqual(b);
    expect(norm(a as number[])).toBeCloseTo(1, 5);
    const [c, d] = await full.embed(texts);
    expect(maxAbsDiff([c as number[]], [d as number[]])).toBeGreaterThan(1e-4);
    await truncated.dispose();
    await full.dispose();
  });

  it("rejects bad options and inputs with INVALID_INPUT", async () => {
    await expect(createEmbedder({ modelDir: "" })).rejects.toMatchObject({ code: "INVALID_INPUT" });
    await expect(createEmbedder({ modelDir: tinyModelDir, dtype: "fp16" as never })).rejects.toMatchObject({
      code: "INVALID_INPUT",
      message: expect.stringContaining("fp16"),
    });
    await expect(createEmbedder({ modelDir: tinyModelDir, runtime: "gpu" as never })).rejects.toMatchObject({
      code: "INVALID_INPUT",
    });
    await expect(createEmbedder({ modelDir: tinyModelDir, batchSize: 0 })).rejects.toMatchObject({
      code: "INVALID_INPUT",
    });
    const embedder = await createEmbedder({ modelDir: tinyModelDir, runtime: "wasm" });
    const e = await rejection(embedder.embed(["ok", 3 as never]));
    expect(e).toBeInstanceOf(EmbedderError);
    expect(e).toMatchObject({ code: "INVALID_INPUT", message: expect.stringContaining("texts[1]") });
    await embedder.dispose();
    await expect(embedder.embed(["x"])).rejects.toMatchObject({ code: "INVALID_INPUT" });
  });

  it("names the missing or damaged file with MODEL_LOAD_FAILED", async () => {
    const dir = join(work, "damaged");
    cpSync(tinyModelDir, dir, { recursive: true });
    rmSync(join(dir, "onnx/model_quantized.onnx"));
    const missing = await rejection(createEmbedder({ modelDir: dir, dtype: "q8", runtime: "wasm" }));
    expect(missing).toMatchObject({ code: "MODEL_LOAD_FAILED" });
    expect(missing.message).toContain(join(dir, "onnx/model_quantized.onnx"));
    writeFileSync(join(dir, "onnx/model.onnx"), "not a model");
    const garbage = await rejection(createEmbedder({ modelDir: dir, runtime: "wasm" }));
    expect(garbage).toMatchObject({
      code: "MODEL_LOAD_FAILED",
      message: expect.stringContaining("download"),
    });
    writeFileSync(join(dir, "tokenizer.json"), "{");
    const json = await rejection(createEmbedder({ modelDir: dir, runtime: "wasm" }));
    expect(json).toMatchObject({
      code: "MODEL_LOAD_FAILED",
      message: expect.stringContaining("tokenizer.json"),
    });
  });

  it("measures the dimension on a probe when config.json has no hidden_size", async () => {
    const dir = generateTinyModel(join(work, "tiny48"), { dim: 48 }).dir;
    writeFileSync(join(dir, "config.json"), JSON.stringify({ model_type: "bert" }));
    const embedder = await createEmbedder({ modelDir: dir, runtime: "wasm" });
    expect(embedder.dimension).toBe(48);
    await embedder.dispose();
  });
});

describe("createEmbedder: runtime choice", () => {
  const failing = (which: string[]) => {
    const calls: string[] = [];
    const loadRuntime: EmbedderOptionsInternal["loadRuntime"] = async (name) => {
      calls.push(name);
      if (which.includes(name)) throw new Error(`Cannot find package '${name}'`);
      return (await import(name)) as never;
    };
    return { calls, loadRuntime };
  };

  it("auto uses onnxruntime-node when it loads, else falls back to onnxruntime-web", async () => {
    const native = await createEmbedder({ modelDir: tinyModelDir });
    expect(native.runtime).toBe("node");
    await native.dispose();
    const seam = failing(["onnxruntime-node"]);
    const options: EmbedderOptionsInternal = { modelDir: tinyModelDir, loadRuntime: seam.loadRuntime };
    const wasm = await createEmbedder(options);
    expect(wasm.runtime).toBe("wasm");
    expect(seam.calls).toEqual(["onnxruntime-node", "onnxruntime-web"]);
    await wasm.dispose();
  });

  it("names the install command when the requested runtime is missing", async () => {
    const seam = failing(["onnxruntime-node", "onnxruntime-web"]);
    const node = await rejection(
      createEmbedder({
        modelDir: tinyModelDir,
        runtime: "node",
        loadRuntime: seam.loadRuntime,
      } as EmbedderOptionsInternal),
    );
    expect(node).toMatchObject({ code: "RUNTIME_UNAVAILABLE" });
    expect(node.message).toContain("npm install onnxruntime-node");
    const none = await rejection(
      createEmbedder({ modelDir: tinyModelDir, loadRuntime: seam.loadRuntime } as EmbedderOptionsInternal),
    );
    expect(none).toMatchObject({ code: "RUNTIME_UNAVAILABLE" });
    expect(none.message).toContain("onnxruntime-web");
    expect(none.message).toContain("npm install onnxruntime-node");
  });
});

describe("meanPoolNormalise", () => {
  it("averages the unmasked tokens only and normalises; an all-masked row stays zero", () => {
    // 2 rows × 3 tokens × 2 dims; row 0 masks its last token, row 1 masks everything.
    const hidden = Float32Array.from([3, 0, 0, 4, 100, 100, 1, 1, 1, 1, 1, 1]);
    const mask = BigInt64Array.from([1n, 1n, 0n, 0n, 0n, 0n]);
    const [a, b] = meanPoolNormalise(hidden, [2, 3, 2], mask);
    expect(a?.[0]).toBeCloseTo(0.6, 6);
    expect(a?.[1]).toBeCloseTo(0.8, 6);
    expect(b).toEqual([0, 0]);
  });
});
