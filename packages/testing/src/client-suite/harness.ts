/**
 * The harness of the shared client conformance suite: every client implementation (ephemeral, persistent,
 * HTTP) runs the same scenarios through `defineClientSuite`.
 */
import type { CairnClient, CairnError, EmbeddingFunction } from "@cairndb/core";
import { expect } from "vitest";

/** Creates a fresh, empty client for one test; `reopen` (when supported) opens the same data anew. */
export interface ClientFactory {
  name: string;
  create(): Promise<{
    client: CairnClient;
    reopen?: () => Promise<CairnClient>;
    cleanup: () => Promise<void>;
  }>;
  /** Reasons to skip scenarios this implementation cannot run, by scenario tag. */
  skip?: Partial<Record<"reopen" | "reset", string>>;
}

/** Asserts that a promise rejects with a CairnError of the given code; returns the error. */
export async function expectCode(promise: Promise<unknown>, code: string): Promise<CairnError> {
  try {
    await promise;
  } catch (error) {
    expect((error as CairnError).code, (error as Error).message).toBe(code);
    expect(error).toBeInstanceOf(Error);
    return error as CairnError;
  }
  throw new Error(`expected a rejection with code ${code}, but the call succeeded`);
}

/** A deterministic embedding function: letters → a small count vector (for tests that need texts). */
export class LetterEmbeddingFunction implements EmbeddingFunction {
  name = "letters";
  calls = 0;
  constructor(private readonly dim = 8) {}
  static buildFromConfig(config: Record<string, unknown>): LetterEmbeddingFunction {
    return new LetterEmbeddingFunction(Number(config.dim ?? 8));
  }
  getConfig(): Record<string, unknown> {
    return { dim: this.dim };
  }
  async generate(texts: string[]): Promise<number[][]> {
    this.calls++;
    return texts.map((t) => {
      const v = new Array<number>(this.dim).fill(0.01);
      for (const ch of t.toLowerCase()) {
        const code = ch.charCodeAt(0);
        if (code >= 97 && code <= 122) v[(code - 97) % this.dim]! += 1;
      }
      return v;
    });
  }
}

/** Unit vectors along axes, for exact distance checks. */
export const axis = (i: number, dim = 3): number[] =>
  Array.from({ length: dim }, (_, j) => (j === i ? 1 : 0));
