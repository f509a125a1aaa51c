import type { Space } from "../types";

/**
 * Turns texts into vectors. Compatible with the `chromadb` client's interface: an EF written for chromadb
 * (with `generate`, `name`, `getConfig`, static `buildFromConfig`) works here unchanged.
 *
 * To be persisted with a collection (and rebuilt by `getCollection` without passing it again) an EF needs a
 * `name`, a `getConfig()` without secrets, and a static `buildFromConfig(config)` registered with the client.
 */
export interface EmbeddingFunction {
  /** Embeds documents. Must return one vector per text, all of the same length. */
  generate(texts: string[]): Promise<number[][]>;
  /** Embeds queries, when the model treats queries differently from documents. Defaults to `generate`. */
  generateForQueries?(texts: string[]): Promise<number[][]>;
  /** Registry name, e.g. `"default"`, `"openai"`, `"hash"`. */
  name?: string;
  /** The space this model's vectors are meant for (used when a collection is created without one). */
  defaultSpace?(): Space;
  /** Spaces the model supports. */
  supportedSpaces?(): Space[];
  /** The configuration to persist (never secrets: store env-var names instead). */
  getConfig?(): Record<string, unknown>;
  /** Validates a configuration before it is persisted. */
  validateConfig?(config: Record<string, unknown>): void;
  /** The vector length, when known without calling the model. */
  dimension?(): number | undefined;
}

/** A class of embedding functions that can be rebuilt from a persisted configuration. */
export interface EmbeddingFunctionClass {
  /** Rebuilds an EF from the output of its `getConfig()`. */
  buildFromConfig(config: Record<string, unknown>): EmbeddingFunction;
}

/** The persisted identity of a collection's embedding function (defined in `types.ts`). */
export type { EmbeddingFunctionConfig } from "../types";
