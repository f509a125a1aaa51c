/**
 * `importChroma`: copies collections from a Chroma persist directory (offline) or a running Chroma server (REST)
 * into a Cairn database: ids, documents, uris, metadata and embeddings as stored, collection metadata and HNSW
 * settings mapped.
 */
import type { CairnClient } from "../../client/client";
import { PersistentClient } from "../../client/local";
import { ConflictError, InvalidArgumentError, rejectUnknownKeys } from "../../errors";
import { mapChromaConfiguration } from "./config-map";
import { listChromaServerCollections } from "./rest-reader";
import { openChromaDirectory } from "./sqlite-reader";
import type { ChromaCollectionSource } from "./types";

/**
 * Options of {@link importChroma}: one source (`from` or `fromUrl`) and one target (`path` or `client`).
 * @example { from: "./chroma_data", path: "./cairn_db" }
 * @example { fromUrl: "http://localhost:8000", client, collections: ["docs"] }
 */
export interface ImportChromaOptions {
  /** A Chroma persist directory (the folder holding `chroma.sqlite3`); Chroma must not be running on it. */
  from?: string;
  /** The URL of a running Chroma server (REST API v2). */
  fromUrl?: string;
  /** Request headers for `fromUrl` (e.g. an auth token). */
  headers?: Record<string, string>;
  /** Chroma tenant to read. Default `default_tenant`. */
  tenant?: string;
  /** Chroma database to read. Default `default_database`. */
  database?: string;
  /** The Cairn database folder to write (opened and closed by the import). */
  path?: string;
  /** A Cairn client to write through instead of `path` (left open). */
  client?: CairnClient;
  /** Names of the collections to import; default every collection of the database. */
  collections?: string[];
  /** Records per read page and per write batch. Default 1000. */
  batchSize?: number;
  /** Called after each written batch. */
  onProgress?: (progress: { collection: string; done: number; total: number | null }) => void;
}

/** What one collection's import did. */
export interface ImportedChromaCollection {
  name: string;
  records: number;
  dimension: number | null;
  /** The HNSW configuration the Cairn collection was created with. */
  hnsw: Record<string, unknown>;
  /** Chroma settings with no Cairn counterpart (not carried over). */
  unmapped: string[];
}

/** The result of {@link importChroma}. */
export interface ImportChromaResult {
  collections: ImportedChromaCollection[];
  records: number;
  /** Wall-clock seconds of the whole import. */
  seconds: number;
}

const KNOWN = [
  "from",
  "fromUrl",
  "headers",
  "tenant",
  "database",
  "path",
  "client",
  "collections",
  "batchSize",
  "onProgress",
];

/**
 * Imports Chroma collections into Cairn. Every target name is checked before the first write: an existing Cairn
 * collection of the same name fails the call with `COLLECTION_EXISTS` and nothing is written.
 * @throws InvalidArgumentError `INVALID_ARGUMENT` for a missing/duplicated source or target, or an unknown collection name
 * @throws ConflictError `COLLECTION_EXISTS` when a target collection exists already
 * @throws NotFoundError / StorageError / ConnectionError from reading the source
 * @example
 * const { records } = await importChroma({ from: "./chroma_data", path: "./cairn_db" });
 */
export async function importChroma(options: ImportChromaOptions): Promise<ImportChromaResult> {
  rejectUnknownKeys(options, KNOWN, "importChroma");
  const bad = (msg: string) => new InvalidArgumentError("INVALID_ARGUMENT", `importChroma: ${msg}`);
  if ((options.from === undefined) === (options.fromUrl === undefined))
    throw bad(
      "give exactly one source: `from` (a Chroma persist directory) or `fromUrl` (a Chroma server URL).",
    );
  if ((options.path === undefined) === (options.client === undefined))
    throw bad("give exactly one target: `path` (a Cairn database folder) or `client`.");
  const batchSize = options.batchSize ?? 1000;
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw bad(`batchSize must be a positive integer, got ${batchSize}.`);
  const tenant = options.tenant ?? "default_tenant";
  const database = options.database ?? "default_database";
  const started = performance.now();

  let closeSource = () => {};
  let sources: ChromaCollectionSource[];
  if (options.from !== undefined) {
    const dir = openChromaDirectory(options.from);
    closeSource = dir.close;
    sources = dir.collections.filter((c) => c.tenant === tenant && c.database === database);
  } else {
    sources = await listChromaServerCollections({
      url: options.fromUrl!,
      tenant,
      database,
      headers: options.headers,
    });
  }
  const client = options.client ?? new PersistentClient({ path: options.path! });
  try {
    if (options.collections) {
      const names = new Set(sources.map((s) => s.name));
      const missing = options.collections.filter((n) => !names.has(n));
      if (missing.length)
        throw bad(
          `no Chroma collection named ${missing.map((n) => `"${n}"`).join(", ")} in ${tenant}/${database}; it has: ${[...names].join(", ") || "(none)"}.`,
        );
      sources = sources.filter((s) => options.collections!.includes(s.name));
    }
    const existing = new Set((await client.listCollections()).map((c) => c.name));
    const taken = sources.filter((s) => existing.has(s.name)).map((s) => s.name);
    if (taken.length)
      throw new ConflictError(
        "COLLECTION_EXISTS",
        `importChroma: the Cairn database already has ${taken.map((n) => `"${n}"`).join(", ")}; nothing was imported. Delete them or import into another path.`,
        { details: { collections: taken } },
      );
    const done: ImportedChromaCollection[] = [];
    let total = 0;
    for (const source of sources) {
      const mapped = mapChromaConfiguration(source.configuration);
      const collection = await client.createCollection({
        name: source.name,
        metadata: source.metadata ?? undefined,
        configuration: { hnsw: mapped.hnsw },
        embeddingFunction: null,
      });
      let count = 0;
      for await (const page of source.records(batchSize)) {
        await collection.add({
          ids: page.map((r) => r.id),
          embeddings: page.map((r) => r.embedding),
          documents: page.map((r) => r.document),
          uris: page.map((r) => r.uri),
          metadatas: page.map((r) => r.metadata),
        });
        count += page.length;
        options.onProgress?.({ collection: source.name, done: count, total: source.count });
      }
      total += count;
      done.push({
        name: source.name,
        records: count,
        dimension: source.dimension,
        hnsw: mapped.hnsw,
        unmapped: mapped.unmapped,
      });
    }
    return { collections: done, records: total, seconds: (performance.now() - started) / 1000 };
  } finally {
    closeSource();
    if (!options.client) await client.close();
  }
}
