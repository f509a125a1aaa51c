/**
 * Test helpers: deterministic embeddings and an in-memory RecordManager for LangChain's indexing API
 * (`InMemoryRecordManager` lives in @langchain/community, which is not a dependency).
 */
import { HashEmbeddingFunction } from "@cairndb/core";
import { Embeddings } from "@langchain/core/embeddings";
import { type ListKeyOptions, RecordManager, type UpdateOptions } from "@langchain/core/indexing";

/**
 * Deterministic lexical embeddings (core's `HashEmbeddingFunction`: word and trigram hashing, unit length):
 * texts sharing words are close, identical texts are identical vectors. Counts its calls.
 */
export class WordEmbeddings extends Embeddings {
  private readonly ef: HashEmbeddingFunction;
  documentCalls = 0;
  queryCalls = 0;

  constructor(dimension = 128) {
    super({});
    this.ef = new HashEmbeddingFunction({ dimension });
  }

  async embedDocuments(texts: string[]): Promise<number[][]> {
    this.documentCalls++;
    return (await this.ef.generate(texts)) as number[][];
  }

  async embedQuery(text: string): Promise<number[]> {
    this.queryCalls++;
    return ((await this.ef.generate([text])) as number[][])[0] as number[];
  }
}

/**
 * Embeddings from a lookup table (exact vectors for geometry tests); unknown texts fail loudly.
 */
export class TableEmbeddings extends Embeddings {
  constructor(private readonly table: Record<string, number[]>) {
    super({});
  }

  private lookup(text: string): number[] {
    const v = this.table[text];
    if (!v) throw new Error(`TableEmbeddings: no vector for ${JSON.stringify(text)}`);
    return [...v];
  }

  async embedDocuments(texts: string[]): Promise<number[][]> {
    return texts.map((t) => this.lookup(t));
  }

  async embedQuery(text: string): Promise<number[]> {
    return this.lookup(text);
  }
}

/** A minimal in-memory RecordManager (the semantics of community's `InMemoryRecordManager`). */
export class MemoryRecordManager extends RecordManager {
  override lc_namespace = ["cairn", "test", "record_manager"];
  private readonly records = new Map<string, { updatedAt: number; groupId: string | null }>();
  private clock = 0;

  async createSchema(): Promise<void> {}

  async getTime(): Promise<number> {
    // Strictly increasing, so "updated before this run" is unambiguous even within one millisecond.
    this.clock = Math.max(this.clock + 1, Date.now());
    return this.clock;
  }

  async update(keys: string[], options: UpdateOptions = {}): Promise<void> {
    const now = await this.getTime();
    if (options.timeAtLeast !== undefined && now < options.timeAtLeast)
      throw new Error("time went backwards");
    if (options.groupIds && options.groupIds.length !== keys.length)
      throw new Error("keys and groupIds differ in length");
    keys.forEach((key, i) => {
      this.records.set(key, { updatedAt: now, groupId: options.groupIds?.[i] ?? null });
    });
  }

  async exists(keys: string[]): Promise<boolean[]> {
    return keys.map((k) => this.records.has(k));
  }

  async listKeys(options: ListKeyOptions = {}): Promise<string[]> {
    const keys = [...this.records.entries()]
      .filter(([, r]) => options.before === undefined || r.updatedAt < options.before)
      .filter(([, r]) => options.after === undefined || r.updatedAt > options.after)
      .filter(([, r]) => options.groupIds === undefined || options.groupIds.includes(r.groupId))
      .map(([k]) => k);
    return options.limit === undefined ? keys : keys.slice(0, options.limit);
  }

  async deleteKeys(keys: string[]): Promise<void> {
    for (const k of keys) this.records.delete(k);
  }
}

/** Unit vector at `degrees` in the plane of the first two axes (remaining axes 0). */
export function angle(degrees: number, dim = 3): number[] {
  const r = (degrees * Math.PI) / 180;
  return Array.from({ length: dim }, (_, i) => (i === 0 ? Math.cos(r) : i === 1 ? Math.sin(r) : 0));
}

/** A unique collection name per call (tests in one file may share a client). */
let counter = 0;
export function uniqueName(prefix = "lc"): string {
  counter++;
  return `${prefix}_${process.pid}_${counter}`;
}
