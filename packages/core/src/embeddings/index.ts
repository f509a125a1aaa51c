/**
 * Embedding functions: the chromadb-compatible interface, the built-ins (default all-MiniLM-L6-v2 through
 * transformers.js, OpenAI, a lexical hash EF), the per-client registry and the helpers that persist and
 * compare an EF's identity.
 */
export type { EmbeddingFunction, EmbeddingFunctionClass, EmbeddingFunctionConfig } from "./types";
export { HashEmbeddingFunction, type HashEmbeddingFunctionOptions } from "./hash";
export {
  DEFAULT_MODEL,
  DefaultEmbeddingFunction,
  type DefaultEmbeddingFunctionOptions,
  defaultModelCacheDir,
  type ModelDownloadProgress,
  type ModelDtype,
  type ModelLocationOptions,
  type PullModelOptions,
  type PullModelResult,
  pullModel,
  requiredModelFiles,
} from "./default";
export {
  OPENAI_MODEL_DIMENSIONS,
  OpenAIEmbeddingFunction,
  type OpenAIEmbeddingFunctionOptions,
} from "./openai";
export {
  describeEmbeddingFunction,
  EmbeddingFunctionRegistry,
  embeddingFunctionsConflict,
  serializeEmbeddingFunction,
} from "./registry";
