import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { HashEmbeddingFunction } from "../../src/embeddings/hash";
import { CairnError } from "../../src/errors";

const cos = (a: number[], b: number[]) => a.reduce((s, v, i) => s + v * (b[i] as number), 0);
const norm = (a: number[]) => Math.sqrt(cos(a, a));

describe("HashEmbeddingFunction", () => {
  it("returns one unit vector of the configured dimension per text", async () => {
    const ef = new HashEmbeddingFunction({ dimension: 64 });
    const out = await ef.generate(["red apples", "", "Zyxq!", "a longer text with several words"]);
    expect(out).toHaveLength(4);
    for (const v of out) {
      expect(v).toHaveLength(64);
      expect(norm(v)).toBeCloseTo(1, 10);
    }
    expect(ef.dimension()).toBe(64);
    expect(await new HashEmbeddingFunction().generate(["x"])).toSatisfy(
      (v: number[][]) => v[0]?.length === 384,
    );
  });

  it("is deterministic across instances and calls", async () => {
    const texts = ["The cat sat on the mat.", "Vectors in a database", "ünïcödé wörds 123"];
    const a = await new HashEmbeddingFunction().generate(texts);
    const b = await new HashEmbeddingFunction().generate(texts);
    expect(a).toEqual(b);
    // Pinned values: a change to the hashing or weighting changes every stored vector, so it must be deliberate.
    const digest = createHash("sha256")
      .update((a[0] as number[]).map((v) => v.toFixed(6)).join(","))
      .digest("hex");
    expect(digest.slice(0, 16)).toMatchInlineSnapshot(`"4568ef8241fd2e2f"`);
  });

  it("scores texts that share words higher than unrelated texts", async () => {
    const ef = new HashEmbeddingFunction();
    const [query, related, paraphrase, unrelated] = await ef.generate([
      "how do I reset my password",
      "reset your password from the account page",
      "steps to reset a forgotten password",
      "banana bread recipe with walnuts",
    ]);
    const q = query as number[];
    expect(cos(q, related as number[])).toBeGreaterThan(cos(q, unrelated as number[]) + 0.2);
    expect(cos(q, paraphrase as number[])).toBeGreaterThan(cos(q, unrelated as number[]) + 0.2);
    expect(Math.abs(cos(q, unrelated as number[]))).toBeLessThan(0.15);
  });

  it("is case-insensitive and gives inflections partial credit through character trigrams", async () => {
    const ef = new HashEmbeddingFunction();
    const [a, b, c, d] = await ef.generate(["Database", "database", "databases", "giraffe"]);
    expect(cos(a as number[], b as number[])).toBeCloseTo(1, 10);
    expect(cos(a as number[], c as number[])).toBeGreaterThan(0.4);
    expect(cos(a as number[], c as number[])).toBeLessThan(0.99);
    expect(Math.abs(cos(a as number[], d as number[]))).toBeLessThan(0.2);
  });

  it("word order matters a little (bigrams), not much", async () => {
    const ef = new HashEmbeddingFunction();
    const [a, b] = await ef.generate(["new york city", "city york new"]);
    const s = cos(a as number[], b as number[]);
    expect(s).toBeGreaterThan(0.8);
    expect(s).toBeLessThan(1 - 1e-6);
  });

  it("persists { dimension } and rebuilds the same function", async () => {
    const ef = new HashEmbeddingFunction({ dimension: 128 });
    expect(ef.name).toBe("hash");
    expect(ef.getConfig()).toEqual({ dimension: 128 });
    expect(ef.defaultSpace()).toBe("cosine");
    const rebuilt = HashEmbeddingFunction.buildFromConfig(ef.getConfig());
    expect(await rebuilt.generate(["same text"])).toEqual(await ef.generate(["same text"]));
    expect(HashEmbeddingFunction.buildFromConfig({}).dimension()).toBe(384);
  });

  it("rejects bad options with stable codes", async () => {
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return e instanceof CairnError ? e.code : "not a CairnError";
      }
      return "no error";
    };
    expect(code(() => new HashEmbeddingFunction({ dimension: 0 }))).toBe("INVALID_ARGUMENT");
    expect(code(() => new HashEmbeddingFunction({ dimension: 1.5 }))).toBe("INVALID_ARGUMENT");
    expect(code(() => new HashEmbeddingFunction({ dimensions: 8 } as never))).toBe("UNKNOWN_OPTION");
    expect(code(() => HashEmbeddingFunction.buildFromConfig({ dimension: "8" }))).toBe("INVALID_ARGUMENT");
    await expect(new HashEmbeddingFunction().generate([42 as never])).rejects.toMatchObject({
      code: "INVALID_ARGUMENT",
    });
  });
});
