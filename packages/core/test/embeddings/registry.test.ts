import { describe, expect, it } from "vitest";
import { DefaultEmbeddingFunction } from "../../src/embeddings/default";
import { HashEmbeddingFunction } from "../../src/embeddings/hash";
import { OpenAIEmbeddingFunction } from "../../src/embeddings/openai";
import {
  describeEmbeddingFunction,
  EmbeddingFunctionRegistry,
  embeddingFunctionsConflict,
  serializeEmbeddingFunction,
} from "../../src/embeddings/registry";
import type { EmbeddingFunction, EmbeddingFunctionConfig } from "../../src/embeddings/types";

/** A user-defined EF as a chromadb user would write it. */
class UpperCaseLengthEf implements EmbeddingFunction {
  readonly name = "upper-length";
  constructor(readonly options: { scale: number; batchSize?: number }) {}
  static buildFromConfig(config: Record<string, unknown>): UpperCaseLengthEf {
    return new UpperCaseLengthEf({ scale: Number(config.scale) });
  }
  async generate(texts: string[]): Promise<number[][]> {
    return texts.map((t) => [t.length * this.options.scale, 1]);
  }
  getConfig() {
    return { scale: this.options.scale, batchSize: this.options.batchSize };
  }
}

const legacyEf: EmbeddingFunction = { generate: async (texts) => texts.map(() => [0, 1]) };
const known = (name: string, config: Record<string, unknown> = {}): EmbeddingFunctionConfig => ({
  type: "known",
  name,
  config,
});

describe("serializeEmbeddingFunction", () => {
  it("persists built-ins as known with their config and never a secret", () => {
    expect(serializeEmbeddingFunction(new HashEmbeddingFunction({ dimension: 64 }))).toEqual(
      known("hash", { dimension: 64 }),
    );
    expect(
      serializeEmbeddingFunction(new DefaultEmbeddingFunction({ modelPath: "./somewhere", dtype: "q8" })),
    ).toEqual(known("default", { model: "Xenova/all-MiniLM-L6-v2", revision: "main", dtype: "q8" }));
    const openai = serializeEmbeddingFunction(
      new OpenAIEmbeddingFunction({ apiKey: "sk-secret", dimensions: 256 }),
    );
    expect(openai).toEqual(
      known("openai", {
        model_name: "text-embedding-3-small",
        api_key_env_var: "OPENAI_API_KEY",
        dimensions: 256,
      }),
    );
    expect(JSON.stringify(openai)).not.toContain("sk-secret");
  });

  it("drops undefined values (the stored JSON) and marks EFs without name/getConfig as legacy", () => {
    expect(serializeEmbeddingFunction(new UpperCaseLengthEf({ scale: 2 }))).toEqual(
      known("upper-length", { scale: 2 }),
    );
    expect(serializeEmbeddingFunction(legacyEf)).toEqual({ type: "legacy" });
    expect(serializeEmbeddingFunction({ ...legacyEf, name: "x" })).toEqual({ type: "legacy" });
  });

  it("runs validateConfig and rejects unserialisable configs", () => {
    const bad: EmbeddingFunction = {
      name: "bad",
      generate: legacyEf.generate,
      getConfig: () => ({ n: 1n }),
    };
    expect(() => serializeEmbeddingFunction(bad)).toThrow(
      expect.objectContaining({ code: "INVALID_CONFIGURATION" }),
    );
    const validating: EmbeddingFunction = {
      name: "v",
      generate: legacyEf.generate,
      getConfig: () => ({ model: "" }),
      validateConfig: () => {
        throw new Error("model must not be empty");
      },
    };
    expect(() => serializeEmbeddingFunction(validating)).toThrow("model must not be empty");
  });
});

describe("EmbeddingFunctionRegistry", () => {
  it("round-trips every built-in through serialize → build", async () => {
    const registry = new EmbeddingFunctionRegistry();
    expect(registry.names()).toEqual(["default", "openai", "hash"]);
    for (const ef of [
      new HashEmbeddingFunction({ dimension: 32 }),
      new DefaultEmbeddingFunction({ dtype: "q8" }),
      new OpenAIEmbeddingFunction({
        modelName: "text-embedding-3-large",
        apiKeyEnvVar: "MY_KEY",
        baseURL: "http://x/v1",
      }),
    ]) {
      const config = serializeEmbeddingFunction(ef);
      const rebuilt = registry.build(config);
      expect(rebuilt.constructor).toBe(ef.constructor);
      expect(serializeEmbeddingFunction(rebuilt)).toEqual(config);
    }
    const hash = registry.build(known("hash", { dimension: 32 }));
    expect(await hash.generate(["a b"])).toEqual(
      await new HashEmbeddingFunction({ dimension: 32 }).generate(["a b"]),
    );
  });

  it("rebuilds Chroma's persisted configs", () => {
    const registry = new EmbeddingFunctionRegistry();
    expect(registry.build(known("default")).getConfig?.()).toEqual({
      model: "Xenova/all-MiniLM-L6-v2",
      revision: "main",
      dtype: "fp32",
    });
    const chromaOpenAI = known("openai", {
      api_key_env_var: "OPENAI_API_KEY",
      model_name: "text-embedding-3-small",
      organization_id: "org-1",
    });
    expect(registry.build(chromaOpenAI).getConfig?.()).toEqual(
      chromaOpenAI.type === "known" && chromaOpenAI.config,
    );
  });

  it("builds registered custom classes, per registry instance", async () => {
    const a = new EmbeddingFunctionRegistry({ "upper-length": UpperCaseLengthEf });
    const b = new EmbeddingFunctionRegistry();
    expect(a.has("upper-length")).toBe(true);
    expect(b.has("upper-length")).toBe(false);
    expect(await a.build(known("upper-length", { scale: 3 })).generate(["abcd"])).toEqual([[12, 1]]);
    b.register("upper-length", UpperCaseLengthEf);
    expect(b.has("upper-length")).toBe(true);
  });

  it("names the unknown EF and how to register it", () => {
    const registry = new EmbeddingFunctionRegistry();
    let error: unknown;
    try {
      registry.build(known("cohere", { model_name: "embed-v4" }));
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ code: "EMBEDDING_FUNCTION_UNKNOWN", name: "EmbeddingError" });
    expect((error as Error).message).toContain('"cohere"');
    expect((error as Error).message).toContain("embeddingFunctions");
    expect(() => registry.build({ type: "legacy" })).toThrow(
      expect.objectContaining({ code: "EMBEDDING_FUNCTION_MISSING" }),
    );
  });

  it("refuses to register something without buildFromConfig", () => {
    const registry = new EmbeddingFunctionRegistry();
    expect(() => registry.register("x", {} as never)).toThrow(
      expect.objectContaining({ code: "INVALID_ARGUMENT" }),
    );
    expect(() => registry.register("", UpperCaseLengthEf)).toThrow(
      expect.objectContaining({ code: "INVALID_ARGUMENT" }),
    );
  });
});

describe("embeddingFunctionsConflict", () => {
  const cases: [string, EmbeddingFunctionConfig, EmbeddingFunctionConfig, boolean][] = [
    ["same hash", known("hash", { dimension: 384 }), known("hash", { dimension: 384 }), false],
    ["hash default dimension", known("hash", {}), known("hash", { dimension: 384 }), false],
    ["hash other dimension", known("hash", { dimension: 384 }), known("hash", { dimension: 128 }), true],
    ["different names", known("default"), known("openai", { model_name: "text-embedding-3-small" }), true],
    [
      "Chroma's {} default vs ours",
      known("default"),
      known("default", { model: "Xenova/all-MiniLM-L6-v2", revision: "main", dtype: "fp32" }),
      false,
    ],
    [
      "default fp32 vs q8: same space",
      known("default", { dtype: "fp32" }),
      known("default", { dtype: "q8" }),
      false,
    ],
    ["default other model", known("default"), known("default", { model: "Xenova/bge-small-en-v1.5" }), true],
    [
      "openai same model, other key var and base",
      known("openai", { model_name: "text-embedding-3-small", api_key_env_var: "A" }),
      known("openai", {
        model_name: "text-embedding-3-small",
        api_key_env_var: "B",
        api_base: "http://proxy/v1",
      }),
      false,
    ],
    [
      "openai explicit native dimensions",
      known("openai", { model_name: "text-embedding-3-small" }),
      known("openai", { model_name: "text-embedding-3-small", dimensions: 1536 }),
      false,
    ],
    [
      "openai other dimensions",
      known("openai", { model_name: "text-embedding-3-large" }),
      known("openai", { model_name: "text-embedding-3-large", dimensions: 256 }),
      true,
    ],
    [
      "openai other model",
      known("openai", { model_name: "text-embedding-3-small" }),
      known("openai", { model_name: "text-embedding-ada-002" }),
      true,
    ],
    [
      "custom: same config, key order",
      known("mine", { a: 1, b: [1, 2] }),
      known("mine", { b: [1, 2], a: 1 }),
      false,
    ],
    ["custom: different config", known("mine", { a: 1 }), known("mine", { a: 2 }), true],
    ["legacy persisted", { type: "legacy" }, known("openai"), false],
    ["legacy passed", known("default"), { type: "legacy" }, false],
  ];
  it.each(cases)("%s", (_label, persisted, passed, expected) => {
    expect(embeddingFunctionsConflict(persisted, passed)).toBe(expected);
    expect(embeddingFunctionsConflict(passed, persisted)).toBe(expected);
  });
});

describe("describeEmbeddingFunction", () => {
  it("gives name, model and dimension", () => {
    expect(describeEmbeddingFunction(new OpenAIEmbeddingFunction())).toBe(
      "openai(text-embedding-3-small, 1536 dims)",
    );
    expect(describeEmbeddingFunction(new OpenAIEmbeddingFunction({ dimensions: 512 }))).toBe(
      "openai(text-embedding-3-small, 512 dims)",
    );
    expect(describeEmbeddingFunction(known("default"))).toBe("default(all-MiniLM-L6-v2, 384 dims)");
    expect(describeEmbeddingFunction(new DefaultEmbeddingFunction(), 384)).toBe(
      "default(all-MiniLM-L6-v2, 384 dims)",
    );
    expect(describeEmbeddingFunction(new HashEmbeddingFunction({ dimension: 64 }))).toBe("hash(64 dims)");
    expect(describeEmbeddingFunction(known("mine", { model_name: "m1" }), 10)).toBe("mine(m1, 10 dims)");
    expect(describeEmbeddingFunction(known("mine"))).toBe("mine");
    expect(describeEmbeddingFunction({ type: "legacy" })).toBe("legacy");
    expect(describeEmbeddingFunction(legacyEf, 2)).toBe("legacy(2 dims)");
  });
});
