import { EmbeddingError, invalidArgument, rejectUnknownKeys } from "../errors";
import type { Space } from "../types";
import type { EmbeddingFunction } from "./types";

const DEFAULT_BASE_URL = "https://api.openai.com/v1";
/** The API's limits per request: 2,048 inputs and 300,000 tokens in total. */
const MAX_INPUTS = 2048;
const MAX_TOKENS_PER_REQUEST = 300_000;
/** A rough, conservative token estimate for batching (no tokenizer dependency). */
const CHARS_PER_TOKEN = 4;
/** A server asking us to wait longer than this is treated as a hard failure rather than a pause. */
const MAX_RETRY_AFTER_MS = 60_000;
const OPTION_KEYS = [
  "modelName",
  "apiKey",
  "apiKeyEnvVar",
  "baseURL",
  "dimensions",
  "organization",
  "batchSize",
  "maxRetries",
  "timeoutMs",
  "fetch",
];

/** Vector lengths of OpenAI's embedding models (without `dimensions`). */
export const OPENAI_MODEL_DIMENSIONS: Readonly<Record<string, number>> = {
  "text-embedding-3-small": 1536,
  "text-embedding-3-large": 3072,
  "text-embedding-ada-002": 1536,
};

/**
 * Options of {@link OpenAIEmbeddingFunction}. The key itself is never persisted: a collection stores the
 * name of the environment variable it is read from.
 * @example
 * new OpenAIEmbeddingFunction({ modelName: "text-embedding-3-large", dimensions: 1024 })
 * new OpenAIEmbeddingFunction({ baseURL: "http://localhost:11434/v1", modelName: "nomic-embed-text", apiKey: "unused" })
 */
export interface OpenAIEmbeddingFunctionOptions {
  /** Default `text-embedding-3-small`. */
  modelName?: string;
  /** The key. Default: read from `process.env[apiKeyEnvVar]` when a request is made. */
  apiKey?: string;
  /** Default `OPENAI_API_KEY`. */
  apiKeyEnvVar?: string;
  /** Default `https://api.openai.com/v1`; any OpenAI-compatible `/embeddings` endpoint works. */
  baseURL?: string;
  /** Shorter vectors (text-embedding-3 models only). */
  dimensions?: number;
  /** Sent as `OpenAI-Organization`. */
  organization?: string;
  /** Inputs per request, at most 2048 (the API's limit; also split at ~300k estimated tokens). Default 2048. */
  batchSize?: number;
  /** Retries of a request after 429, 5xx, a network error or a timeout. Default 5. */
  maxRetries?: number;
  /** Per-request timeout in ms. Default 60 000. */
  timeoutMs?: number;
  /** A fetch implementation (proxies, tests). Default the global `fetch`. */
  fetch?: typeof fetch;
}

interface ApiErrorBody {
  error?: { message?: string; type?: string; code?: string | null };
}
interface ApiResponse {
  data?: { index?: number; embedding?: unknown }[];
}

/** Splits texts into request-sized batches: ≤ `maxInputs` texts and ≤ 300k estimated tokens each. */
export function planOpenAIBatches(texts: string[], maxInputs: number): string[][] {
  const batches: string[][] = [];
  let current: string[] = [];
  let tokens = 0;
  for (const text of texts) {
    const estimate = Math.ceil(text.length / CHARS_PER_TOKEN) + 1;
    if (current.length > 0 && (current.length >= maxInputs || tokens + estimate > MAX_TOKENS_PER_REQUEST)) {
      batches.push(current);
      current = [];
      tokens = 0;
    }
    current.push(text);
    tokens += estimate;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/** Milliseconds a response asks us to wait (`retry-after-ms`, else `Retry-After` in seconds or an HTTP date). */
export function retryAfterMs(headers: Headers, now = Date.now()): number | undefined {
  const ms = Number.parseFloat(headers.get("retry-after-ms") ?? "");
  if (Number.isFinite(ms) && ms >= 0) return ms;
  const value = headers.get("retry-after");
  if (!value) return undefined;
  const seconds = Number(value);
  if (value.trim() !== "" && Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Exponential backoff with jitter: 0.5 s, 1 s, 2 s, … (capped at 8 s), each scaled by a random 0.75–1. */
const backoffMs = (attempt: number) => Math.min(8000, 500 * 2 ** attempt) * (0.75 + Math.random() * 0.25);
const isRetryableStatus = (status: number) =>
  status === 408 || status === 409 || status === 429 || status >= 500;

/**
 * Embeddings from OpenAI's `/embeddings` endpoint (or any compatible one via `baseURL`), with plain `fetch`:
 * batching within the API's limits, results ordered by `index`, retries with exponential backoff and jitter on
 * 429/5xx/network errors/timeouts that honour `Retry-After`. Persisted as `openai` with
 * `{ model_name, api_key_env_var, api_base?, dimensions?, organization_id? }` — never the key.
 * @example
 * const ef = new OpenAIEmbeddingFunction({ modelName: "text-embedding-3-small" }); // key from OPENAI_API_KEY
 */
export class OpenAIEmbeddingFunction implements EmbeddingFunction {
  /** Registry name. */
  readonly name = "openai";
  readonly #model: string;
  readonly #apiKey: string | undefined;
  readonly #apiKeyEnvVar: string;
  readonly #baseURL: string;
  readonly #dimensions: number | undefined;
  readonly #organization: string | undefined;
  readonly #batchSize: number;
  readonly #maxRetries: number;
  readonly #timeoutMs: number;
  readonly #fetch: typeof fetch | undefined;

  constructor(options: OpenAIEmbeddingFunctionOptions = {}) {
    rejectUnknownKeys(options, OPTION_KEYS, "OpenAIEmbeddingFunction");
    const positiveInt = (name: string, value: number, min: number, max = Number.MAX_SAFE_INTEGER) => {
      if (!Number.isInteger(value) || value < min || value > max) {
        throw invalidArgument(name, `expected an integer from ${min} to ${max}, got ${value}`);
      }
      return value;
    };
    this.#model = options.modelName ?? "text-embedding-3-small";
    this.#apiKey = options.apiKey;
    this.#apiKeyEnvVar = options.apiKeyEnvVar ?? "OPENAI_API_KEY";
    this.#baseURL = (options.baseURL ?? DEFAULT_BASE_URL).replace(/\/+$/, "");
    this.#dimensions =
      options.dimensions === undefined ? undefined : positiveInt("dimensions", options.dimensions, 1);
    this.#organization = options.organization;
    this.#batchSize = positiveInt("batchSize", options.batchSize ?? MAX_INPUTS, 1, MAX_INPUTS);
    this.#maxRetries = positiveInt("maxRetries", options.maxRetries ?? 5, 0, 100);
    this.#timeoutMs = options.timeoutMs ?? 60_000;
    if (!(this.#timeoutMs > 0))
      throw invalidArgument("timeoutMs", `expected a positive number, got ${this.#timeoutMs}`);
    this.#fetch = options.fetch;
  }

  /**
   * Rebuilds the EF from a persisted config (Chroma's keys: `model_name`, `api_key_env_var`, `api_base`,
   * `dimensions`, `organization_id`). The key is read from the named env var when requests are made.
   */
  static buildFromConfig(config: Record<string, unknown>): OpenAIEmbeddingFunction {
    const str = (key: string) => {
      const v = config[key];
      if (v === undefined || v === null) return undefined;
      if (typeof v !== "string") throw invalidArgument(`config.${key}`, `expected a string, got ${typeof v}`);
      return v;
    };
    const dimensions = config.dimensions;
    if (dimensions !== undefined && dimensions !== null && typeof dimensions !== "number") {
      throw invalidArgument("config.dimensions", `expected a number, got ${typeof dimensions}`);
    }
    const options: OpenAIEmbeddingFunctionOptions = {};
    const set = <K extends keyof OpenAIEmbeddingFunctionOptions>(
      k: K,
      v: OpenAIEmbeddingFunctionOptions[K],
    ) => {
      if (v !== undefined && v !== null) options[k] = v;
    };
    set("modelName", str("model_name"));
    set("apiKeyEnvVar", str("api_key_env_var"));
    set("baseURL", str("api_base"));
    set("dimensions", dimensions as number | undefined);
    set("organization", str("organization_id") ?? str("organization"));
    return new OpenAIEmbeddingFunction(options);
  }

  /** Embeds texts; one request per batch, in order. */
  async generate(texts: string[]): Promise<number[][]> {
    texts.forEach((t, i) => {
      if (typeof t !== "string") throw invalidArgument(`texts[${i}]`, `expected a string, got ${typeof t}`);
    });
    if (texts.length === 0) return [];
    const key = this.#resolveKey();
    const out: number[][] = [];
    for (const batch of planOpenAIBatches(texts, this.#batchSize))
      out.push(...(await this.#request(batch, key)));
    return out;
  }

  defaultSpace(): Space {
    return "cosine";
  }

  supportedSpaces(): Space[] {
    return ["cosine", "l2", "ip"];
  }

  /** What is persisted: never the key, only the name of its env var. */
  getConfig(): Record<string, unknown> {
    const config: Record<string, unknown> = { model_name: this.#model, api_key_env_var: this.#apiKeyEnvVar };
    if (this.#baseURL !== DEFAULT_BASE_URL) config.api_base = this.#baseURL;
    if (this.#dimensions !== undefined) config.dimensions = this.#dimensions;
    if (this.#organization !== undefined) config.organization_id = this.#organization;
    return config;
  }

  /** `dimensions` when set, else the model's known length (undefined for unknown models). */
  dimension(): number | undefined {
    return this.#dimensions ?? OPENAI_MODEL_DIMENSIONS[this.#model];
  }

  #resolveKey(): string {
    const key = this.#apiKey ?? process.env[this.#apiKeyEnvVar];
    if (!key) {
      throw new EmbeddingError(
        "EMBEDDING_FAILED",
        `OpenAI API key not found: set the environment variable ${this.#apiKeyEnvVar} (or pass the apiKey option).`,
        { details: { apiKeyEnvVar: this.#apiKeyEnvVar } },
      );
    }
    return key;
  }

  async #request(input: string[], key: string): Promise<number[][]> {
    const url = `${this.#baseURL}/embeddings`;
    const body = JSON.stringify({
      model: this.#model,
      input,
      encoding_format: "float",
      ...(this.#dimensions === undefined ? {} : { dimensions: this.#dimensions }),
    });
    const headers: Record<string, string> = {
      "content-type": "application/json",
      authorization: `Bearer ${key}`,
    };
    if (this.#organization) headers["openai-organization"] = this.#organization;
    for (let attempt = 0; ; attempt++) {
      const last = attempt >= this.#maxRetries;
      let response: Response;
      let text: string;
      try {
        const signal = AbortSignal.timeout(this.#timeoutMs);
        response = await (this.#fetch ?? fetch)(url, { method: "POST", headers, body, signal });
        text = await response.text();
      } catch (e) {
        if (last) throw this.#failure(`${url}: ${describeNetworkError(e, this.#timeoutMs)}`, e, {});
        await sleep(backoffMs(attempt));
        continue;
      }
      if (response.ok) return parseEmbeddings(text, input.length, url);
      const serverMessage = parseErrorMessage(text);
      if (isRetryableStatus(response.status) && !last) {
        const wait = retryAfterMs(response.headers);
        if (wait === undefined || wait <= MAX_RETRY_AFTER_MS) {
          await sleep(wait ?? backoffMs(attempt));
          continue;
        }
      }
      const keyHint =
        response.status === 401
          ? this.#apiKey === undefined
            ? ` The API key was read from the environment variable ${this.#apiKeyEnvVar}.`
            : " The API key was passed as the apiKey option."
          : "";
      const tries = attempt > 0 ? ` after ${attempt + 1} attempts` : "";
      throw this.#failure(
        `${url} returned HTTP ${response.status}${tries}: ${serverMessage ?? (response.statusText || "no message")}.${keyHint}`,
        undefined,
        { status: response.status },
      );
    }
  }

  #failure(problem: string, cause: unknown, details: Record<string, unknown>): EmbeddingError {
    return new EmbeddingError("EMBEDDING_FAILED", `OpenAI embeddings (${this.#model}) failed: ${problem}`, {
      cause,
      details: { model: this.#model, ...details },
    });
  }
}

function describeNetworkError(e: unknown, timeoutMs: number): string {
  if (e instanceof Error && e.name === "TimeoutError") return `no response within ${timeoutMs} ms`;
  if (!(e instanceof Error)) return String(e);
  return e.cause instanceof Error ? `${e.message} (${e.cause.message})` : e.message;
}

function parseErrorMessage(text: string): string | undefined {
  try {
    const body = JSON.parse(text) as ApiErrorBody;
    if (typeof body.error?.message === "string") return body.error.message;
  } catch {
    // not JSON: fall through to the raw text
  }
  const trimmed = text.trim();
  return trimmed ? trimmed.slice(0, 500) : undefined;
}

function parseEmbeddings(text: string, count: number, url: string): number[][] {
  const fail = (problem: string) =>
    new EmbeddingError("EMBEDDING_FAILED", `OpenAI embeddings: malformed response from ${url}: ${problem}`);
  let body: ApiResponse;
  try {
    body = JSON.parse(text) as ApiResponse;
  } catch (e) {
    throw fail(`not JSON (${(e as Error).message})`);
  }
  if (!Array.isArray(body.data) || body.data.length !== count) {
    throw fail(`expected ${count} embeddings, got ${Array.isArray(body.data) ? body.data.length : "none"}`);
  }
  const out: number[][] = new Array(count);
  for (const [position, item] of body.data.entries()) {
    const index = item.index ?? position;
    if (!Number.isInteger(index) || index < 0 || index >= count || out[index] !== undefined) {
      throw fail(`bad or duplicate index ${index}`);
    }
    if (!Array.isArray(item.embedding) || !item.embedding.every((v) => typeof v === "number")) {
      throw fail(`data[${position}].embedding is not an array of numbers`);
    }
    out[index] = item.embedding as number[];
  }
  return out;
}
