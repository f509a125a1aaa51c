import { type FakeOpenAI, fakeOpenAIVector, startFakeOpenAI } from "@cairndb/testing";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { OpenAIEmbeddingFunction, planOpenAIBatches, retryAfterMs } from "../../src/embeddings/openai";

const KEY = "sk-test-123";
let server: FakeOpenAI;

beforeAll(async () => {
  server = await startFakeOpenAI({ apiKey: KEY, shuffle: true });
});
afterAll(() => server.close());
afterEach(() => {
  server.requests.length = 0;
  delete process.env.CAIRN_TEST_OPENAI_KEY;
});

const ef = (options: ConstructorParameters<typeof OpenAIEmbeddingFunction>[0] = {}) =>
  new OpenAIEmbeddingFunction({ apiKey: KEY, baseURL: server.baseURL, ...options });

async function failure(
  promise: Promise<unknown>,
): Promise<Error & { code?: string; details?: Record<string, unknown> }> {
  try {
    await promise;
  } catch (e) {
    return e as Error & { code?: string };
  }
  throw new Error("expected a rejection");
}

describe("OpenAIEmbeddingFunction against a fake server", () => {
  it("sends model, input, dimensions and encoding_format, and orders results by index", async () => {
    const texts = ["alpha", "beta", "gamma"];
    const out = await ef({ dimensions: 8, organization: "org-9" }).generate(texts);
    expect(out).toEqual(texts.map((t) => fakeOpenAIVector(t, 8)));
    expect(server.requests).toHaveLength(1);
    const [req] = server.requests;
    expect(req?.body).toEqual({
      model: "text-embedding-3-small",
      input: texts,
      dimensions: 8,
      encoding_format: "float",
    });
    expect(req?.authorization).toBe(`Bearer ${KEY}`);
    expect(req?.organization).toBe("org-9");
  });

  it("omits dimensions when not set and returns the model's native length", async () => {
    const [v] = await ef().generate(["x"]);
    expect(v).toHaveLength(1536);
    expect(server.requests[0]?.body).not.toHaveProperty("dimensions");
  });

  it("splits 5,000 inputs into 3 requests of ≤ 2048, preserving order", async () => {
    const texts = Array.from({ length: 5000 }, (_, i) => `text number ${i}`);
    const out = await ef({ dimensions: 4 }).generate(texts);
    expect(server.requests.map((r) => r.body.input?.length)).toEqual([2048, 2048, 904]);
    expect(out).toHaveLength(5000);
    expect(out[4321]).toEqual(fakeOpenAIVector("text number 4321", 4));
  });

  it("also splits by an estimated token budget (~300k tokens per request)", () => {
    const big = "x".repeat(400_000); // ~100k tokens each
    expect(planOpenAIBatches([big, big, big, big, "small"], 2048).map((b) => b.length)).toEqual([2, 3]);
    expect(planOpenAIBatches(["a", "b", "c"], 2).map((b) => b.length)).toEqual([2, 1]);
  });

  it("retries a 429 after the Retry-After delay (seconds)", async () => {
    server.script({ status: 429, retryAfter: "1", message: "Rate limit reached" });
    const started = Date.now();
    const out = await ef({ dimensions: 4 }).generate(["a"]);
    const elapsed = Date.now() - started;
    expect(out).toEqual([fakeOpenAIVector("a", 4)]);
    expect(server.requests.map((r) => r.status)).toEqual([429, 200]);
    expect(elapsed).toBeGreaterThanOrEqual(990);
    const gap = (server.requests[1]?.at ?? 0) - (server.requests[0]?.at ?? 0);
    expect(gap).toBeGreaterThanOrEqual(990);
  });

  it("honours retry-after-ms and HTTP-date Retry-After", async () => {
    server.script(
      { status: 429, retryAfterMs: "300" },
      { status: 429, retryAfter: new Date(Date.now() + 1500).toUTCString() },
    );
    const started = Date.now();
    await ef({ dimensions: 4 }).generate(["a"]);
    expect(server.requests.map((r) => r.status)).toEqual([429, 429, 200]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    const h = (entries: Record<string, string>) => new Headers(entries);
    expect(retryAfterMs(h({ "retry-after": "2" }))).toBe(2000);
    expect(retryAfterMs(h({ "retry-after-ms": "150", "retry-after": "9" }))).toBe(150);
    expect(
      retryAfterMs(h({ "retry-after": "Wed, 21 Oct 2015 07:28:10 GMT" }), Date.UTC(2015, 9, 21, 7, 28, 0)),
    ).toBe(10_000);
    expect(retryAfterMs(h({}))).toBeUndefined();
  });

  it("retries 500s with backoff and gives up after maxRetries", async () => {
    server.script({ status: 500 }, { status: 503 });
    expect(await ef({ dimensions: 4 }).generate(["a"])).toHaveLength(1);
    expect(server.requests.map((r) => r.status)).toEqual([500, 503, 200]);

    server.requests.length = 0;
    server.script({ status: 500, message: "boom 1" }, { status: 500, message: "boom 2" });
    const e = await failure(ef({ dimensions: 4, maxRetries: 1 }).generate(["a"]));
    expect(e).toMatchObject({ code: "EMBEDDING_FAILED", details: { status: 500 } });
    expect(e.message).toContain("boom 2");
    expect(e.message).toContain("HTTP 500");
    expect(server.requests).toHaveLength(2);
  });

  it("does not retry a 401 and explains where the key came from", async () => {
    process.env.CAIRN_TEST_OPENAI_KEY = "sk-wrong";
    const e = await failure(
      new OpenAIEmbeddingFunction({
        baseURL: server.baseURL,
        apiKeyEnvVar: "CAIRN_TEST_OPENAI_KEY",
      }).generate(["a"]),
    );
    expect(e).toMatchObject({ code: "EMBEDDING_FAILED", name: "EmbeddingError", details: { status: 401 } });
    expect(e.message).toContain("Incorrect API key provided: sk-w****.");
    expect(e.message).toContain("HTTP 401");
    expect(e.message).toContain("CAIRN_TEST_OPENAI_KEY");
    expect(server.requests).toHaveLength(1);
  });

  it.each([400, 403, 404] as const)(
    "does not retry a %i and reports the server's message",
    async (status) => {
      server.script({ status, message: `scripted message ${status}` });
      const e = await failure(ef({ dimensions: 4 }).generate(["a"]));
      expect(e).toMatchObject({ code: "EMBEDDING_FAILED", details: { status } });
      expect(e.message).toContain(`scripted message ${status}`);
      expect(server.requests).toHaveLength(1);
    },
  );

  it("fails clearly when the key is missing, before any request", async () => {
    const e = await failure(
      new OpenAIEmbeddingFunction({
        baseURL: server.baseURL,
        apiKeyEnvVar: "CAIRN_TEST_OPENAI_KEY",
      }).generate(["a"]),
    );
    expect(e).toMatchObject({ code: "EMBEDDING_FAILED" });
    expect(e.message).toContain("CAIRN_TEST_OPENAI_KEY");
    expect(server.requests).toHaveLength(0);
  });

  it("reads the key from the env var at request time when rebuilt from config", async () => {
    const rebuilt = OpenAIEmbeddingFunction.buildFromConfig({
      model_name: "text-embedding-3-small",
      api_key_env_var: "CAIRN_TEST_OPENAI_KEY",
      api_base: server.baseURL,
      dimensions: 4,
    });
    process.env.CAIRN_TEST_OPENAI_KEY = KEY;
    expect(await rebuilt.generate(["a"])).toEqual([fakeOpenAIVector("a", 4)]);
    expect(rebuilt.getConfig()).not.toHaveProperty("api_key");
    expect(JSON.stringify(rebuilt.getConfig())).not.toContain(KEY);
  });

  it("times out a hung request (TimeoutError cause), retrying first", async () => {
    server.script({ hang: true }, { hang: true });
    const started = Date.now();
    const e = await failure(ef({ dimensions: 4, timeoutMs: 300, maxRetries: 1 }).generate(["a"]));
    expect(e).toMatchObject({ code: "EMBEDDING_FAILED" });
    expect((e.cause as Error).name).toBe("TimeoutError");
    expect(e.message).toContain("no response within 300 ms");
    expect(server.requests).toHaveLength(2);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it("retries network errors (connection refused) and then fails", async () => {
    const e = await failure(
      new OpenAIEmbeddingFunction({ apiKey: KEY, baseURL: "http://127.0.0.1:1/v1", maxRetries: 1 }).generate([
        "a",
      ]),
    );
    expect(e).toMatchObject({ code: "EMBEDDING_FAILED" });
    expect(e.message).toContain("127.0.0.1:1");
  });

  it("knows the dimensions of OpenAI's models and persists only safe config", () => {
    expect(new OpenAIEmbeddingFunction().dimension()).toBe(1536);
    expect(new OpenAIEmbeddingFunction({ modelName: "text-embedding-3-large" }).dimension()).toBe(3072);
    expect(new OpenAIEmbeddingFunction({ modelName: "text-embedding-ada-002" }).dimension()).toBe(1536);
    expect(new OpenAIEmbeddingFunction({ dimensions: 256 }).dimension()).toBe(256);
    expect(new OpenAIEmbeddingFunction({ modelName: "nomic-embed-text" }).dimension()).toBeUndefined();
    expect(
      new OpenAIEmbeddingFunction({
        apiKey: "sk-x",
        organization: "org-1",
        baseURL: "http://h/v1/",
      }).getConfig(),
    ).toEqual({
      model_name: "text-embedding-3-small",
      api_key_env_var: "OPENAI_API_KEY",
      api_base: "http://h/v1",
      organization_id: "org-1",
    });
    expect(() => new OpenAIEmbeddingFunction({ batchSize: 5000 })).toThrow(
      expect.objectContaining({ code: "INVALID_ARGUMENT" }),
    );
    expect(() => new OpenAIEmbeddingFunction({ model: "x" } as never)).toThrow(
      expect.objectContaining({ code: "UNKNOWN_OPTION" }),
    );
  });
});
