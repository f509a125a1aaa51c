/**
 * `importCollection`: reads an export file (JSON Lines, see transfer-format.ts) and writes it into a collection
 * of any client, batch by batch. Each batch is decoded and validated completely before it is written in one
 * `add`, so a malformed line fails with its line number and nothing of its batch is written; the batches before
 * it are, and `resume` continues from there.
 */
import { StringDecoder } from "node:string_decoder";
import type { CairnClient } from "../client/client";
import type { Collection } from "../collection/collection";
import { describeEmbeddingFunction, embeddingFunctionsConflict } from "../embeddings";
import { CairnError, ConflictError, createError, invalidArgument } from "../errors";
import { describeValue, isPlainObject } from "../internal";
import type { TransferProgress } from "./export";
import {
  decodeHeader,
  decodeRecord,
  type LineLocation,
  malformed,
  type TransferHeader,
  type TransferRecord,
} from "./transfer-format";

/**
 * Options of `importCollection`.
 * @example { name: "docs-copy", resume: true, source: "docs.jsonl" }
 */
export interface ImportOptions {
  /** Import into a collection of this name instead of the one in the header. */
  name?: string;
  /** Skip records whose id is already in the collection (to finish an interrupted or failed import). */
  resume?: boolean;
  /** Records per written batch (default 1000). A malformed line discards only its own batch. */
  batchSize?: number;
  /**
   * Import into an existing collection even when its distance space or embedding function differs from the
   * file's (the vectors are copied as they are). Default false: `IMPORT_CONFLICT`.
   */
  allowConfigMismatch?: boolean;
  /** What error messages call the input, e.g. its file name (default `input`). */
  source?: string;
  /** Called after each batch is written. */
  onProgress?: (progress: TransferProgress) => void;
}

/** What `importCollection` did. */
export interface ImportResult {
  /** The collection written to. */
  collection: string;
  /** Whether the import created it. */
  created: boolean;
  /** Record lines read. */
  records: number;
  /** Records written. */
  imported: number;
  /** Records skipped because their id was already present (`resume`). */
  skipped: number;
  /** The header's count (records in the source when it was exported). */
  expected: number;
  /** Bytes read. */
  bytes: number;
  /** Wall time in seconds. */
  seconds: number;
}

/** An export file's bytes or text, e.g. `fs.createReadStream(path)`, `process.stdin` or an array of strings. */
export type ImportSource = AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>;

interface ResolvedImportOptions {
  name: string | undefined;
  resume: boolean;
  batchSize: number;
  allowConfigMismatch: boolean;
  source: string;
  onProgress: ImportOptions["onProgress"];
}

const IMPORT_KEYS = ["name", "resume", "batchSize", "allowConfigMismatch", "source", "onProgress"];

function resolveImportOptions(options: unknown): ResolvedImportOptions {
  const o = options ?? {};
  if (!isPlainObject(o)) throw invalidArgument("options", `expected an object, got ${describeValue(o)}`);
  for (const key of Object.keys(o)) {
    if (!IMPORT_KEYS.includes(key))
      throw invalidArgument(`options.${key}`, `unknown option; expected one of ${IMPORT_KEYS.join(", ")}`);
  }
  const batchSize = o.batchSize ?? 1000;
  if (!Number.isSafeInteger(batchSize) || (batchSize as number) < 1 || (batchSize as number) > 100_000)
    throw invalidArgument(
      "options.batchSize",
      `expected an integer from 1 to 100000, got ${describeValue(batchSize)}`,
    );
  if (o.name !== undefined && (typeof o.name !== "string" || o.name.length === 0))
    throw invalidArgument("options.name", `expected a collection name, got ${describeValue(o.name)}`);
  if (o.onProgress !== undefined && typeof o.onProgress !== "function")
    throw invalidArgument("options.onProgress", "expected a function");
  return {
    name: o.name as string | undefined,
    resume: o.resume === true,
    batchSize: batchSize as number,
    allowConfigMismatch: o.allowConfigMismatch === true,
    source: typeof o.source === "string" && o.source.length > 0 ? o.source : "input",
    onProgress: o.onProgress as ImportOptions["onProgress"],
  };
}

/** Splits a byte or text stream into lines (without their `\n` / `\r\n`), counting the bytes read. */
async function* linesOf(input: ImportSource, counter: { bytes: number }): AsyncGenerator<string> {
  const decoder = new StringDecoder("utf8");
  let rest = "";
  for await (const chunk of input) {
    counter.bytes += typeof chunk === "string" ? Buffer.byteLength(chunk) : chunk.byteLength;
    rest += typeof chunk === "string" ? chunk : decoder.write(chunk as Buffer);
    let start = 0;
    for (let nl = rest.indexOf("\n"); nl !== -1; nl = rest.indexOf("\n", start)) {
      yield rest.slice(start, nl > start && rest[nl - 1] === "\r" ? nl - 1 : nl);
      start = nl + 1;
    }
    rest = rest.slice(start);
  }
  rest += decoder.end();
  if (rest.length > 0) yield rest.endsWith("\r") ? rest.slice(0, -1) : rest;
}

/** Opens the target collection: creates it from the header, or checks an existing one against it. */
async function openTarget(
  client: CairnClient,
  header: TransferHeader,
  name: string,
  allowConfigMismatch: boolean,
): Promise<{ collection: Collection; created: boolean }> {
  const { configuration, metadata, dimension } = header.collection;
  try {
    const collection = await client.createCollection({
      name,
      ...(metadata ? { metadata } : {}),
      configuration: { hnsw: configuration.hnsw, embedding_function: configuration.embedding_function },
    });
    return { collection, created: true };
  } catch (error) {
    if (!(error instanceof CairnError) || error.code !== "COLLECTION_EXISTS") throw error;
  }
  const collection = await client.getCollection({ name });
  const existing = collection.configuration;
  const conflict = (problem: string, hint: string) =>
    new ConflictError("IMPORT_CONFLICT", `collection '${name}' exists and ${problem}. ${hint}`, {
      details: { collection: name },
    });
  if (collection.dimension !== null && dimension !== null && collection.dimension !== dimension) {
    throw conflict(
      `holds ${collection.dimension}-dimensional vectors; the file's are ${dimension}-dimensional`,
      "Import into another collection (name option / --collection).",
    );
  }
  if (allowConfigMismatch) return { collection, created: false };
  const hint =
    "Import into another collection (name option / --collection), or pass allowConfigMismatch (--allow-config-mismatch) to copy the vectors anyway.";
  if (existing.hnsw.space !== configuration.hnsw.space) {
    throw conflict(
      `uses the ${existing.hnsw.space} space; the file's collection used ${configuration.hnsw.space}`,
      hint,
    );
  }
  const ours = existing.embedding_function;
  const theirs = configuration.embedding_function;
  if (ours && theirs && embeddingFunctionsConflict(ours, theirs)) {
    throw conflict(
      `was created with ${describeEmbeddingFunction(ours)}; the file's vectors come from ${describeEmbeddingFunction(theirs)}`,
      hint,
    );
  }
  return { collection, created: false };
}

/** Re-raises a write failure with the lines of its batch in the message (same code and class). */
function batchError(error: unknown, source: string, first: number, last: number, imported: number): unknown {
  if (!(error instanceof CairnError)) return error;
  const hint =
    error.code === "DUPLICATE_ID" ? " Rerun with resume (--resume) to skip the ids already present." : "";
  return createError(
    error.code,
    `${source} lines ${first}-${last}: nothing of this batch was written (${imported} records before it were): ${error.message}${hint}`,
    { cause: error, details: { ...error.details, source, firstLine: first, lastLine: last, imported } },
  );
}

/**
 * Imports an export file into `client`: the collection named in the header (or `options.name`) is created
 * with the file's metadata, space, HNSW settings and embedding-function identity, or, when it exists, checked
 * against them (`IMPORT_CONFLICT` on a different dimension; on a different space or embedding function unless
 * `allowConfigMismatch`). Records are written with `add`, `batchSize` at a time; memory stays constant.
 *
 * A malformed line fails with `INVALID_EXPORT_FILE` naming it; its batch is not written, earlier batches are.
 * With `resume`, records whose id is already present are skipped, so rerunning the same import finishes it.
 * @example
 * const result = await importCollection(client, createReadStream("docs.jsonl"), { source: "docs.jsonl" });
 * console.log(`${result.imported} records into ${result.collection}`);
 */
export async function importCollection(
  client: CairnClient,
  input: ImportSource,
  options?: ImportOptions,
): Promise<ImportResult> {
  const opts = resolveImportOptions(options);
  const started = performance.now();
  const counter = { bytes: 0 };
  const lines = linesOf(input, counter);
  let lineNo = 0;
  let header: TransferHeader | undefined;
  // Not `for await … break`: that would close the generator before the records are read.
  for (let next = await lines.next(); !next.done; next = await lines.next()) {
    lineNo++;
    const text = lineNo === 1 ? next.value.replace(/^\uFEFF/, "") : next.value;
    if (text.trim().length === 0) continue;
    header = decodeHeader(text, { source: opts.source, line: lineNo });
    break;
  }
  if (!header)
    throw malformed({ source: opts.source, line: 1 }, "the file is empty; expected the export header");
  const name = opts.name ?? header.collection.name;
  const { collection, created } = await openTarget(client, header, name, opts.allowConfigMismatch);
  let dimension = header.collection.dimension;
  const result: ImportResult = {
    collection: name,
    created,
    records: 0,
    imported: 0,
    skipped: 0,
    expected: header.count,
    bytes: 0,
    seconds: 0,
  };
  let batch: TransferRecord[] = [];
  let batchIds = new Set<string>();
  let firstLine = 0;
  const flush = async () => {
    if (batch.length === 0) return;
    let records = batch;
    if (opts.resume) {
      const present = new Set((await collection.get({ ids: records.map((r) => r.id), include: [] })).ids);
      records = records.filter((r) => !present.has(r.id));
      result.skipped += batch.length - records.length;
    }
    if (records.length > 0) {
      try {
        await collection.add(
          {
            ids: records.map((r) => r.id),
            embeddings: records.map((r) => r.embedding),
            documents: records.map((r) => r.document),
            metadatas: records.map((r) => r.metadata),
            uris: records.map((r) => r.uri),
          },
          // A record added between the check above and this write (another importer) is skipped too.
          opts.resume ? { onDuplicate: "ignore" } : undefined,
        );
      } catch (error) {
        throw batchError(error, opts.source, firstLine, lineNo, result.imported);
      }
      result.imported += records.length;
    }
    result.records += batch.length;
    batch = [];
    batchIds = new Set();
    opts.onProgress?.({ records: result.records, total: header.count, bytes: counter.bytes });
  };
  for await (const line of lines) {
    lineNo++;
    if (line.trim().length === 0) continue;
    const at: LineLocation = { source: opts.source, line: lineNo };
    let record: TransferRecord;
    try {
      record = decodeRecord(line, dimension, at);
      if (batchIds.has(record.id))
        throw malformed(at, `id ${JSON.stringify(record.id)} appears twice in the batch`);
    } catch (error) {
      if (!(error instanceof CairnError)) throw error;
      const from = batch.length > 0 ? firstLine : lineNo;
      throw createError(
        error.code,
        `${error.message} (nothing of the batch from line ${from} was written; the ${result.imported} records before it were: fix the line and rerun with resume / --resume)`,
        {
          cause: error.cause,
          details: { ...error.details, batchFirstLine: from, imported: result.imported },
        },
      );
    }
    dimension ??= record.embedding.length;
    if (batch.length === 0) firstLine = lineNo;
    batch.push(record);
    batchIds.add(record.id);
    if (batch.length >= opts.batchSize) await flush();
  }
  await flush();
  result.bytes = counter.bytes;
  result.seconds = (performance.now() - started) / 1000;
  return result;
}
