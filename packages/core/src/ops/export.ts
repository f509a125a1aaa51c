/**
 * `exportCollection`: streams a collection to JSON Lines (see transfer-format.ts) page by page over the public
 * Collection API, so it works for every client (persistent, ephemeral, HTTP) in constant memory.
 */
import type { Collection } from "../collection/collection";
import { invalidArgument } from "../errors";
import { describeValue, isPlainObject } from "../internal";
import { CAIRN_VERSION } from "../version";
import {
  type EmbeddingEncoding,
  encodeRecord,
  TRANSFER_FORMAT_VERSION,
  type TransferHeader,
} from "./transfer-format";

/** Progress of an export or import, reported after each batch. */
export interface TransferProgress {
  /** Records written (export) or read from the file (import) so far. */
  records: number;
  /** The count from the header (records in the collection when the export started). */
  total: number;
  /** Bytes written (export) or read (import) so far. */
  bytes: number;
}

/**
 * Options of `exportCollection`.
 * @example { embeddings: "numbers", batchSize: 500, onProgress: (p) => console.error(p.records, "/", p.total) }
 */
export interface ExportOptions {
  /** `base64` (default): little-endian float32, bit-exact and compact. `numbers`: JSON number arrays. */
  embeddings?: EmbeddingEncoding;
  /** Records read per `get` page (default 1000). Memory is proportional to it, not to the collection. */
  batchSize?: number;
  /** Called after each page is written. */
  onProgress?: (progress: TransferProgress) => void;
}

/** What `exportCollection` wrote. */
export interface ExportResult {
  /** Record lines written (the header not counted). */
  records: number;
  /** Bytes written, header included. */
  bytes: number;
  /** Wall time in seconds. */
  seconds: number;
}

/** The part of a Node writable stream an export needs (`fs.WriteStream`, `process.stdout`, a `PassThrough`…). */
export interface ExportSink {
  write(chunk: string): boolean;
  once(event: "drain" | "error" | "close", listener: (...args: unknown[]) => void): unknown;
  removeListener(event: "drain" | "error" | "close", listener: (...args: unknown[]) => void): unknown;
}

/** Resolves when `sink` can take more (after `drain`), or rejects when it fails or closes first. */
function drained(sink: ExportSink): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (error?: unknown) => {
      sink.removeListener("drain", onDrain);
      sink.removeListener("error", onError);
      sink.removeListener("close", onClose);
      if (error) reject(error);
      else resolve();
    };
    const onDrain = () => done();
    const onError = (error: unknown) => done(error ?? new Error("the output stream failed"));
    const onClose = () => done(new Error("the output stream closed before the export finished"));
    sink.once("drain", onDrain);
    sink.once("error", onError);
    sink.once("close", onClose);
  });
}

/** Validates export options; returns them with defaults. */
export function resolveExportOptions(
  options: unknown,
): Required<Omit<ExportOptions, "onProgress">> & Pick<ExportOptions, "onProgress"> {
  if (options === undefined) return { embeddings: "base64", batchSize: 1000 };
  if (!isPlainObject(options))
    throw invalidArgument("options", `expected an object, got ${describeValue(options)}`);
  for (const key of Object.keys(options)) {
    if (!["embeddings", "batchSize", "onProgress"].includes(key))
      throw invalidArgument(`options.${key}`, "unknown option; expected embeddings, batchSize or onProgress");
  }
  const embeddings = options.embeddings ?? "base64";
  if (embeddings !== "base64" && embeddings !== "numbers")
    throw invalidArgument(
      "options.embeddings",
      `expected "base64" or "numbers", got ${describeValue(embeddings)}`,
    );
  const batchSize = options.batchSize ?? 1000;
  if (!Number.isSafeInteger(batchSize) || (batchSize as number) < 1 || (batchSize as number) > 100_000)
    throw invalidArgument(
      "options.batchSize",
      `expected an integer from 1 to 100000, got ${describeValue(batchSize)}`,
    );
  if (options.onProgress !== undefined && typeof options.onProgress !== "function")
    throw invalidArgument("options.onProgress", "expected a function");
  return {
    embeddings,
    batchSize: batchSize as number,
    onProgress: options.onProgress as ExportOptions["onProgress"],
  };
}

/**
 * Writes a collection to `sink` as JSON Lines: a header line (name, metadata, configuration with the
 * embedding-function identity, dimension, count), then one line per record in insertion order with its id,
 * document, uri, metadata and embedding. Reads `batchSize` records at a time and waits for the sink to drain,
 * so memory stays constant for any collection size. The sink is not ended: the caller closes it.
 *
 * Records are read page by page while other writers may go on: records added meanwhile are included,
 * but a record deleted during the export can shift a page and make a later record be skipped. For a
 * point-in-time copy, export while nothing deletes (or take a backup).
 * @example
 * const out = createWriteStream("docs.jsonl");
 * const { records, bytes } = await exportCollection(await client.getCollection({ name: "docs" }), out);
 * await new Promise((resolve) => out.end(resolve));
 */
export async function exportCollection(
  collection: Collection,
  sink: ExportSink,
  options?: ExportOptions,
): Promise<ExportResult> {
  const { embeddings, batchSize, onProgress } = resolveExportOptions(options);
  const started = performance.now();
  await collection.refresh();
  const total = await collection.count();
  const header: TransferHeader = {
    cairn: "export",
    formatVersion: TRANSFER_FORMAT_VERSION,
    cairnVersion: CAIRN_VERSION,
    exportedAt: new Date().toISOString(),
    embeddings,
    collection: {
      name: collection.name,
      metadata: collection.metadata ?? null,
      configuration: collection.configuration,
      dimension: collection.dimension,
    },
    count: total,
  };
  let bytes = 0;
  const write = async (text: string) => {
    bytes += Buffer.byteLength(text);
    if (!sink.write(text)) await drained(sink);
  };
  await write(`${JSON.stringify(header)}\n`);
  let records = 0;
  for (;;) {
    const page = await collection.get({
      limit: batchSize,
      offset: records,
      include: ["embeddings", "documents", "metadatas", "uris"],
    });
    if (page.ids.length === 0) break;
    let text = "";
    for (let i = 0; i < page.ids.length; i++) {
      text += encodeRecord(
        {
          id: page.ids[i]!,
          document: page.documents[i] ?? null,
          uri: page.uris[i] ?? null,
          metadata: page.metadatas[i] ?? null,
          embedding: Float32Array.from(page.embeddings[i]!),
        },
        embeddings,
      );
    }
    records += page.ids.length;
    await write(text);
    onProgress?.({ records, total, bytes });
    if (page.ids.length < batchSize) break;
  }
  return { records, bytes, seconds: (performance.now() - started) / 1000 };
}
