/**
 * Drives the real DefaultEmbeddingFunction loading code (model resolution, downloads, @cairndb/default-embed on
 * the ONNX runtime) with the tiny generated model: local dirs, the cache, downloads from a fake hub on loopback
 * (in child processes, so the second run starts cold), offline failures, a missing runtime, determinism and
 * batching. Pooling and parity with transformers.js are tested in packages/default-embed.
 *
 * Child processes cannot import TypeScript, and the dists may not be built yet, so `beforeAll` bundles
 * `src/embeddings/default.ts` and default-embed's source with esbuild (a dependency of tsup) into a .mjs under
 * default-embed's node_modules, so its runtime dependencies (kept external) resolve from the installed copies
 * and the child runs exactly the code under test.
 */
import { execFile } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { closedLoopbackUrl, type FakeHub, generateTinyModel, startFakeHub } from "@cairndb/testing";
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from "vitest";
import { DefaultEmbeddingFunction, pullModel } from "../../src/embeddings/default";
import { setRuntimeImporter } from "../../src/embeddings/model-loader";

const MODEL = "Xenova/all-MiniLM-L6-v2";
const coreDir = fileURLToPath(new URL("../..", import.meta.url));
const defaultEmbedDir = fileURLToPath(new URL("../../../default-embed", import.meta.url));
const repoRoot = fileURLToPath(new URL("../../../..", import.meta.url));
const tinyModelDir = inject("tinyModelDir");
const TEXTS = [
  "The cat sat on the mat.",
  "hello world",
  "a vector database for search",
  "Zyxq unknownword! €",
];

let work: string;
let hub: FakeHub;
let closedHost: string;
let bundle: string;
const savedEnv = { ...process.env };

/** A fresh empty directory under the test's temp root. */
const fresh = (name: string) => {
  const dir = join(work, `${name}-${Math.random().toString(36).slice(2, 8)}`);
  mkdirSync(dir, { recursive: true });
  return dir;
};
const norm = (v: number[]) => Math.sqrt(v.reduce((s, x) => s + x * x, 0));
const maxAbsDiff = (a: number[][], b: number[][]) =>
  Math.max(...a.flatMap((row, i) => row.map((v, j) => Math.abs(v - (b[i]?.[j] ?? Number.NaN)))));

async function rejection(
  promise: Promise<unknown>,
): Promise<Error & { code?: string; details?: Record<string, unknown> }> {
  try {
    await promise;
  } catch (e) {
    return e as Error & { code?: string };
  }
  throw new Error("expected a rejection");
}

async function bundleDefaultEf(): Promise<string> {
  const rootRequire = createRequire(join(repoRoot, "package.json"));
  // esbuild is not a direct dependency: take tsup's (typed minimally, to need no typings).
  type OnResolve = (options: { filter: RegExp }, callback: () => { path: string }) => void;
  const esbuild = createRequire(rootRequire.resolve("tsup"))("esbuild") as {
    build(o: object): Promise<unknown>;
  };
  // Under default-embed's node_modules, so the external packages resolve from there (Node walks up the tree).
  const outDir = mkdtempSync(join(defaultEmbedDir, "node_modules", ".cairn-test-"));
  const outfile = join(outDir, "default-ef.mjs");
  await esbuild.build({
    entryPoints: [join(coreDir, "src/embeddings/default.ts")],
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    outfile,
    logLevel: "error",
    external: ["onnxruntime-node", "onnxruntime-web", "@huggingface/tokenizers"],
    plugins: [
      {
        name: "default-embed-from-source",
        setup(build: { onResolve: OnResolve }) {
          build.onResolve({ filter: /^@cairndb\/default-embed$/ }, () => ({
            path: join(defaultEmbedDir, "src/index.ts"),
          }));
        },
      },
    ],
  });
  return outfile;
}

const CHILD = `
const [bundle, cacheDir, remoteHost] = process.argv.slice(2);
const { DefaultEmbeddingFunction } = await import(bundle);
const ef = new DefaultEmbeddingFunction({ cacheDir, remoteHost, timeoutMs: 5000 });
process.stdout.write(JSON.stringify(await ef.generate(JSON.parse(process.env.TEXTS))));
`;

/** Embeds TEXTS in a fresh node process with the bundled DefaultEmbeddingFunction. */
async function runChild(cacheDir: string, remoteHost: string): Promise<number[][]> {
  const script = join(work, "child.mjs");
  if (!existsSync(script)) writeFileSync(script, CHILD);
  const env: NodeJS.ProcessEnv = { ...savedEnv, TEXTS: JSON.stringify(TEXTS) };
  delete env.CAIRN_MODELS_DIR;
  delete env.CAIRN_CACHE_DIR;
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [script, pathToFileURL(bundle).href, cacheDir, remoteHost],
    {
      env,
      timeout: 60_000,
    },
  );
  return JSON.parse(stdout);
}

beforeAll(async () => {
  delete process.env.CAIRN_MODELS_DIR;
  delete process.env.CAIRN_CACHE_DIR;
  work = mkdtempSync(join(tmpdir(), "cairn-default-ef-"));
  hub = await startFakeHub({ dir: tinyModelDir, model: MODEL });
  closedHost = await closedLoopbackUrl();
  bundle = await bundleDefaultEf();
});
afterAll(async () => {
  await hub?.close();
  rmSync(work, { recursive: true, force: true });
  if (bundle) rmSync(dirname(bundle), { recursive: true, force: true });
  process.env = savedEnv;
});
afterEach(() => {
  hub.setMode("normal");
  delete process.env.CAIRN_MODELS_DIR;
});

/** Reference vectors: the tiny model loaded straight from its directory. */
const reference = () =>
  new DefaultEmbeddingFunction({ modelPath: tinyModelDir, cacheDir: fresh("unused") }).generate(TEXTS);

describe("DefaultEmbeddingFunction: where the model comes from", () => {
  it("loads from modelPath holding the files directly, without any network", async () => {
    const ef = new DefaultEmbeddingFunction({
      modelPath: tinyModelDir,
      cacheDir: fresh("cache"),
      remoteHost: hub.url,
    });
    const out = await ef.generate(TEXTS);
    expect(out).toHaveLength(TEXTS.length);
    for (const v of out) {
      expect(v).toHaveLength(384);
      expect(norm(v)).toBeCloseTo(1, 5);
    }
    expect(ef.dimension()).toBe(384);
    expect(hub.count()).toBe(0);
  });

  it("loads from modelPath and CAIRN_MODELS_DIR holding an <org>/<name>/ tree", async () => {
    const root = fresh("models");
    cpSync(tinyModelDir, join(root, MODEL), { recursive: true });
    const expected = await reference();
    const viaOption = new DefaultEmbeddingFunction({
      modelPath: root,
      cacheDir: fresh("cache"),
      remoteHost: hub.url,
    });
    expect(await viaOption.generate(TEXTS)).toEqual(expected);
    process.env.CAIRN_MODELS_DIR = root;
    const viaEnv = new DefaultEmbeddingFunction({ cacheDir: fresh("cache"), remoteHost: hub.url });
    expect(await viaEnv.generate(TEXTS)).toEqual(expected);
    expect(hub.count()).toBe(0);
  });

  it("loads from a pre-seeded cache dir with zero requests", async () => {
    const cacheDir = fresh("seeded");
    cpSync(tinyModelDir, join(cacheDir, MODEL), { recursive: true });
    const before = hub.count();
    const out = await new DefaultEmbeddingFunction({ cacheDir, remoteHost: hub.url }).generate(TEXTS);
    expect(out).toEqual(await reference());
    expect(hub.count()).toBe(before);
  });

  it("downloads into an empty cache in a first process; a second process makes zero requests", async () => {
    const cacheDir = fresh("download");
    const before = hub.count();
    const first = await runChild(cacheDir, hub.url);
    const downloads = hub.requests.slice(before);
    expect(downloads.length).toBeGreaterThanOrEqual(4);
    expect(downloads.every((r) => r.includes(`/${MODEL}/resolve/main/`))).toBe(true);
    for (const file of ["config.json", "tokenizer.json", "tokenizer_config.json", "onnx/model.onnx"]) {
      expect(existsSync(join(cacheDir, MODEL, file)), file).toBe(true);
    }
    const afterFirst = hub.count();
    const second = await runChild(cacheDir, hub.url);
    expect(hub.count()).toBe(afterFirst);
    // Same vectors in both processes and in this one (loaded from the directory).
    expect(second).toEqual(first);
    expect(maxAbsDiff(first, await reference())).toBe(0);
  });

  it("pullModel downloads with progress, verifies, and is a no-op the second time", async () => {
    const dir = fresh("pull");
    const progress: { file: string; loaded: number; total: number }[] = [];
    const before = hub.count();
    const result = await pullModel({ dir, remoteHost: hub.url, onProgress: (p) => progress.push(p) });
    expect(result.dir).toBe(dir);
    expect(result.modelDir).toBe(join(dir, MODEL));
    expect(result.dimension).toBe(384);
    expect(result.files.map((f) => f.path)).toEqual([
      "config.json",
      "tokenizer.json",
      "tokenizer_config.json",
      "onnx/model.onnx",
    ]);
    expect(result.files.every((f) => f.bytes > 0)).toBe(true);
    expect(hub.count()).toBeGreaterThan(before);
    const onnx = progress.filter((p) => p.file === "onnx/model.onnx");
    expect(onnx.length).toBeGreaterThan(0);
    expect(onnx.at(-1)?.loaded).toBe(result.files[3]?.bytes);

    const afterFirst = hub.count();
    const again = await pullModel({ dir, remoteHost: hub.url });
    expect(again.files).toEqual(result.files);
    expect(hub.count()).toBe(afterFirst);
  });

  it("a slow download and a local load at the same time both succeed", async () => {
    hub.setMode("slow", 150);
    const small = generateTinyModel(fresh("tiny32"), { dim: 32 }).dir;
    const downloading = new DefaultEmbeddingFunction({ cacheDir: fresh("slow"), remoteHost: hub.url });
    const local = new DefaultEmbeddingFunction({ modelPath: small, cacheDir: fresh("cache") });
    const [a, b, c] = await Promise.all([
      downloading.generate(TEXTS),
      local.generate(TEXTS),
      downloading.generate(["x"]),
    ]);
    expect(a.map((v) => v.length)).toEqual([384, 384, 384, 384]);
    expect(b.map((v) => v.length)).toEqual([32, 32, 32, 32]);
    expect(c[0]).toHaveLength(384);
  });
});

describe("DefaultEmbeddingFunction: one load per process", () => {
  it("shares the loaded model between instances with the same settings, even concurrent ones", async () => {
    const dir = fresh("shared");
    cpSync(tinyModelDir, dir, { recursive: true });
    const make = () => new DefaultEmbeddingFunction({ modelPath: dir, cacheDir: join(work, "shared-cache") });
    const results = await Promise.all([
      make().generate(["a"]),
      make().generate(["b"]),
      make().generate(["a"]),
    ]);
    expect(results[0]).toEqual(results[2]);
    rmSync(dir, { recursive: true });
    // The files are gone; a new instance still works because the session is already loaded.
    expect(await make().generate(["a"])).toEqual(results[0]);
    // Another location is a different load, and fails.
    const other = new DefaultEmbeddingFunction({
      modelPath: dir,
      cacheDir: fresh("other"),
      allowDownload: false,
    });
    expect(await rejection(other.load())).toMatchObject({ code: "MODEL_UNAVAILABLE" });
  });
});

describe("DefaultEmbeddingFunction without @cairndb/default-embed", () => {
  const notInstalled = () =>
    Promise.reject(
      Object.assign(new Error("Cannot find package '@cairndb/default-embed' imported from /app/index.js"), {
        code: "ERR_MODULE_NOT_FOUND",
      }),
    );
  afterEach(() => setRuntimeImporter());

  it("fails with EMBEDDING_RUNTIME_MISSING naming the install command, before any download", async () => {
    setRuntimeImporter(notInstalled);
    const before = hub.count();
    const ef = new DefaultEmbeddingFunction({ cacheDir: fresh("c"), remoteHost: hub.url });
    const e = await rejection(ef.generate(TEXTS));
    expect(e).toMatchObject({ code: "EMBEDDING_RUNTIME_MISSING", name: "EmbeddingError" });
    expect(e.message).toContain("is not installed");
    expect(e.message).toContain("`npm install @cairndb/default-embed`");
    expect(e.message).toContain("HashEmbeddingFunction");
    expect(e.details).toMatchObject({ installed: false, install: "npm install @cairndb/default-embed" });
    expect(hub.count()).toBe(before);
    // Not remembered: once the package is there, a new attempt works.
    setRuntimeImporter();
    const local = new DefaultEmbeddingFunction({ modelPath: tinyModelDir, cacheDir: fresh("c") });
    expect((await local.generate(["x"]))[0]).toHaveLength(384);
  });

  it("reports a runtime that is installed but broken, with the cause", async () => {
    const broken = new Error("libonnxruntime.so.1: cannot open shared object file");
    setRuntimeImporter(() => Promise.reject(broken));
    const e = await rejection(new DefaultEmbeddingFunction({ modelPath: tinyModelDir }).load());
    expect(e).toMatchObject({ code: "EMBEDDING_RUNTIME_MISSING", cause: broken });
    expect(e.message).toContain("could not be loaded");
    expect(e.message).toContain("libonnxruntime.so.1");
    expect(e.message).toContain("npm install @cairndb/default-embed");
    setRuntimeImporter(() => Promise.resolve({ somethingElse: true }));
    const wrong = await rejection(new DefaultEmbeddingFunction({ modelPath: tinyModelDir }).load());
    expect(wrong).toMatchObject({ code: "EMBEDDING_RUNTIME_MISSING" });
    expect(wrong.message).toContain("createEmbedder");
    // pullModel verifies with the runtime when one is installed, so a broken one is reported too.
    await expect(pullModel({ dir: fresh("pull"), remoteHost: hub.url })).rejects.toMatchObject({
      code: "EMBEDDING_RUNTIME_MISSING",
    });
  });

  it("pullModel still downloads and checks the files, taking the dimension from config.json", async () => {
    setRuntimeImporter(notInstalled);
    const dir = fresh("pull-no-runtime");
    const result = await pullModel({ dir, remoteHost: hub.url });
    expect(result.modelDir).toBe(join(dir, MODEL));
    expect(result.dimension).toBe(384);
    expect(result.files.every((f) => f.bytes > 0)).toBe(true);
    // The files it wrote are a complete model for the runtime, once installed.
    setRuntimeImporter();
    const out = await new DefaultEmbeddingFunction({ modelPath: dir }).generate(TEXTS);
    expect(maxAbsDiff(out, await reference())).toBe(0);
  });
});

describe("DefaultEmbeddingFunction: failing fast when the model is absent", () => {
  const expectFixHints = (message: string, cacheDir: string) => {
    expect(message).toContain(MODEL);
    expect(message).toContain(cacheDir);
    expect(message).toContain("cairn models pull");
    expect(message).toContain("CAIRN_MODELS_DIR");
    expect(message).toContain("HashEmbeddingFunction");
    expect(message).toContain("OpenAIEmbeddingFunction");
  };

  it("fails with MODEL_UNAVAILABLE in seconds when the hub refuses connections", async () => {
    const cacheDir = fresh("offline");
    const started = Date.now();
    const e = await rejection(
      new DefaultEmbeddingFunction({ cacheDir, remoteHost: closedHost }).generate(TEXTS),
    );
    expect(Date.now() - started).toBeLessThan(5000);
    expect(e).toMatchObject({ code: "MODEL_UNAVAILABLE", name: "EmbeddingError" });
    expect(e.cause).toBeInstanceOf(Error);
    expectFixHints(e.message, cacheDir);
    expect(e.message).toContain(closedHost);
  });

  it("fails with MODEL_UNAVAILABLE after timeoutMs when the hub black-holes requests", async () => {
    hub.setMode("blackhole");
    const cacheDir = fresh("blackhole");
    const before = hub.count();
    const started = Date.now();
    const e = await rejection(
      new DefaultEmbeddingFunction({ cacheDir, remoteHost: hub.url, timeoutMs: 1000 }).generate(TEXTS),
    );
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(900);
    expect(elapsed).toBeLessThan(6000);
    expect(hub.count()).toBeGreaterThan(before);
    expect(e).toMatchObject({ code: "MODEL_UNAVAILABLE" });
    expect(e.message).toContain("TimeoutError");
    expectFixHints(e.message, cacheDir);
  });

  it("never downloads when modelPath is set or allowDownload is false", async () => {
    const before = hub.count();
    const missing = fresh("empty-models");
    const e1 = await rejection(
      new DefaultEmbeddingFunction({ modelPath: missing, cacheDir: fresh("c"), remoteHost: hub.url }).load(),
    );
    expect(e1).toMatchObject({ code: "MODEL_UNAVAILABLE" });
    expect(e1.message).toContain(missing);
    const e2 = await rejection(
      new DefaultEmbeddingFunction({
        cacheDir: fresh("c"),
        remoteHost: hub.url,
        allowDownload: false,
      }).load(),
    );
    expect(e2).toMatchObject({ code: "MODEL_UNAVAILABLE" });
    expect(hub.count()).toBe(before);
  });

  it("needs the file of the requested dtype, and retries after a failed load", async () => {
    const dir = fresh("fp32-only");
    cpSync(tinyModelDir, dir, { recursive: true });
    rmSync(join(dir, "onnx/model_quantized.onnx"));
    const q8 = new DefaultEmbeddingFunction({ modelPath: dir, dtype: "q8", cacheDir: fresh("c") });
    expect(await rejection(q8.generate(["x"]))).toMatchObject({ code: "MODEL_UNAVAILABLE" });
    cpSync(join(tinyModelDir, "onnx/model_quantized.onnx"), join(dir, "onnx/model_quantized.onnx"));
    expect((await q8.generate(["x"]))[0]).toHaveLength(384);
  });
});

describe("DefaultEmbeddingFunction: vectors", () => {
  it("is deterministic and independent of batch size and padding", async () => {
    const texts = Array.from({ length: 10 }, (_, i) => `${"word ".repeat(i)}document ${i}`);
    const big = await new DefaultEmbeddingFunction({
      modelPath: tinyModelDir,
      cacheDir: fresh("c"),
    }).generate(texts);
    const again = await new DefaultEmbeddingFunction({
      modelPath: tinyModelDir,
      cacheDir: fresh("c"),
    }).generate(texts);
    const small = await new DefaultEmbeddingFunction({
      modelPath: tinyModelDir,
      cacheDir: fresh("c"),
      batchSize: 3,
    }).generate(texts);
    const single = [];
    const one = new DefaultEmbeddingFunction({ modelPath: tinyModelDir, cacheDir: fresh("c"), batchSize: 1 });
    for (const t of texts) single.push(...(await one.generate([t])));
    expect(again).toEqual(big);
    expect(small).toHaveLength(10);
    expect(maxAbsDiff(small, big)).toBeLessThan(1e-6);
    expect(maxAbsDiff(single, big)).toBeLessThan(1e-6);
    expect(await one.generate([])).toEqual([]);
  });

  it("measures throughput on 1,000 short texts (printed, not asserted)", async () => {
    const texts = Array.from({ length: 1000 }, (_, i) => `short text number ${i} about cats and vectors`);
    const ef = new DefaultEmbeddingFunction({ modelPath: tinyModelDir, cacheDir: fresh("c") });
    await ef.load();
    const started = performance.now();
    const out = await ef.generate(texts);
    const seconds = (performance.now() - started) / 1000;
    expect(out).toHaveLength(1000);
    console.log(
      `[throughput] tiny model, 1000 short texts, batchSize 32: ${(1000 / seconds).toFixed(0)} texts/s`,
    );
  });

  it("persists { model, revision, dtype } only and rejects bad options", () => {
    const ef = new DefaultEmbeddingFunction({ modelPath: tinyModelDir, dtype: "q8", cacheDir: "/somewhere" });
    expect(ef.getConfig()).toEqual({ model: MODEL, revision: "main", dtype: "q8" });
    expect(ef.defaultSpace()).toBe("cosine");
    expect(DefaultEmbeddingFunction.buildFromConfig({}).getConfig()).toEqual({
      model: MODEL,
      revision: "main",
      dtype: "fp32",
    });
    expect(() => new DefaultEmbeddingFunction({ dtype: "fp16" as never })).toThrow(
      expect.objectContaining({ code: "INVALID_ARGUMENT" }),
    );
    expect(() => new DefaultEmbeddingFunction({ batchsize: 3 } as never)).toThrow(
      expect.objectContaining({ code: "UNKNOWN_OPTION" }),
    );
    expect(() => DefaultEmbeddingFunction.buildFromConfig({ dtype: "q4" })).toThrow(
      expect.objectContaining({ code: "INVALID_ARGUMENT" }),
    );
  });
});
