/**
 * A deterministic, offline `BaseEmbedding` for tests: core's bag-of-words feature hashing
 * (`HashEmbeddingFunction`), so texts that share words are close and the rankings mean something.
 */
import { HashEmbeddingFunction } from "@cairndb/core";
import { BaseEmbedding } from "@llamaindex/core/embeddings";

/** Deterministic LlamaIndex embedding: unit vectors of `dimension` hashed word / bigram / trigram features. */
export class HashEmbedding extends BaseEmbedding {
  readonly #ef: HashEmbeddingFunction;

  constructor(readonly dimension = 128) {
    super();
    this.#ef = new HashEmbeddingFunction({ dimension });
  }

  /** Embeds one text. */
  async getTextEmbedding(text: string): Promise<number[]> {
    const [vector] = await this.#ef.generate([text]);
    return vector as number[];
  }

  /** Embeds many texts in one call. */
  override getTextEmbeddings = (texts: string[]): Promise<number[][]> => this.#ef.generate(texts);
}
