/**
 * The export file format (JSON Lines, format version 1): a header line describing the collection, then one
 * record per line. Encoding and strict, line-numbered decoding; no I/O (see export.ts and import.ts).
 */
import type { CollectionConfig } from "../config";
import { checkEmbeddingFunctionConfig, resolveCreateConfig } from "../config";
import {
  expectWellFormed,
  validateCollectionMetadata,
  validateMetadata,
} from "../collection/validate-values";
import { CairnError, InvalidArgumentError } from "../errors";
import { bytesToFloat32, describeValue, float32ToBytes, isPlainObject } from "../internal";
import type { CollectionMetadata, Metadata } from "../types";

/** The format version this release writes and reads. */
export const TRANSFER_FORMAT_VERSION = 1;

/** How vectors are written: `base64` of little-endian float32 (bit-exact, compact) or JSON numbers. */
export type EmbeddingEncoding = "base64" | "numbers";

/** Line 1 of an export file. */
export interface TransferHeader {
  cairn: "export";
  formatVersion: number;
  /** The Cairn version that wrote the file. */
  cairnVersion: string;
  /** When the export started (ISO 8601). */
  exportedAt: string;
  /** How the records' `embedding` fields are encoded. */
  embeddings: EmbeddingEncoding;
  collection: {
    name: string;
    metadata: CollectionMetadata | null;
    /** Space, HNSW settings and embedding-function identity, as persisted. */
    configuration: CollectionConfig;
    /** Vector dimension (null for an empty collection that never had a vector). */
    dimension: number | null;
  };
  /** Records in the collection when the export started (records written meanwhile may be added). */
  count: number;
}

/** A record as decoded from a line. */
export interface TransferRecord {
  id: string;
  document: string | null;
  uri: string | null;
  metadata: Metadata | null;
  embedding: Float32Array;
}

/** Where a decoding error is: the file's name (for messages) and the 1-based line number. */
export interface LineLocation {
  source: string;
  line: number;
}

/** The error of a malformed export file, naming the line. */
export function malformed(at: LineLocation, problem: string, cause?: unknown): InvalidArgumentError {
  return new InvalidArgumentError("INVALID_EXPORT_FILE", `${at.source} line ${at.line}: ${problem}`, {
    cause,
    details: { source: at.source, line: at.line },
  });
}

/**
 * A vector as JSON text: base64 of its little-endian float32 bytes in quotes, or a number array. Numbers are
 * written in the shortest form that reads back to the same float32 (and `-0` as `-0`, which `JSON.stringify`
 * would turn into `0`), so both encodings are bit-exact.
 */
export function encodeEmbedding(vector: Float32Array, encoding: EmbeddingEncoding): string {
  if (encoding === "base64") return `"${float32ToBytes(vector).toString("base64")}"`;
  let text = "[";
  for (let i = 0; i < vector.length; i++) {
    const x = vector[i]!;
    text += `${i === 0 ? "" : ","}${Object.is(x, -0) ? "-0" : String(x)}`;
  }
  return `${text}]`;
}

/** One record as a JSON line (with its trailing newline). */
export function encodeRecord(record: TransferRecord, encoding: EmbeddingEncoding): string {
  const fields = JSON.stringify({
    id: record.id,
    document: record.document,
    uri: record.uri,
    metadata: record.metadata,
  });
  return `${fields.slice(0, -1)},"embedding":${encodeEmbedding(record.embedding, encoding)}}\n`;
}

function parseJsonObject(text: string, at: LineLocation, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw malformed(at, `not valid JSON (${(error as Error).message}); expected ${what}`, error);
  }
  if (!isPlainObject(value)) throw malformed(at, `expected ${what}, got ${describeValue(value)}`);
  return value;
}

/** Decodes and checks the header line. */
export function decodeHeader(text: string, at: LineLocation): TransferHeader {
  const what = 'the header object {"cairn":"export","formatVersion":1,…}';
  const value = parseJsonObject(text, at, what);
  if (value.cairn !== "export") {
    throw malformed(at, `not a Cairn export file: expected ${what} on the first line`);
  }
  if (value.formatVersion !== TRANSFER_FORMAT_VERSION) {
    const newer = typeof value.formatVersion === "number" && value.formatVersion > TRANSFER_FORMAT_VERSION;
    throw malformed(
      at,
      newer
        ? `format version ${value.formatVersion} was written by a newer Cairn; this one reads version ${TRANSFER_FORMAT_VERSION}: upgrade Cairn to import it`
        : `formatVersion: expected ${TRANSFER_FORMAT_VERSION}, got ${describeValue(value.formatVersion)}`,
    );
  }
  const c = value.collection;
  if (!isPlainObject(c)) throw malformed(at, `collection: expected an object, got ${describeValue(c)}`);
  if (typeof c.name !== "string" || c.name.length === 0)
    throw malformed(at, "collection.name: expected a non-empty string");
  if (!isPlainObject(c.configuration)) throw malformed(at, "collection.configuration: expected an object");
  if (c.dimension !== null && !(Number.isSafeInteger(c.dimension) && (c.dimension as number) > 0))
    throw malformed(
      at,
      `collection.dimension: expected a positive integer or null, got ${describeValue(c.dimension)}`,
    );
  if (!Number.isSafeInteger(value.count) || (value.count as number) < 0)
    throw malformed(at, `count: expected a non-negative integer, got ${describeValue(value.count)}`);
  let metadata: CollectionMetadata | null;
  let configuration: CollectionConfig;
  try {
    metadata = validateCollectionMetadata(c.metadata, "collection.metadata");
    const conf = c.configuration as { hnsw?: unknown; embedding_function?: unknown };
    // The stored settings go through the same checks as createCollection's (unknown keys, ranges).
    configuration = resolveCreateConfig({ hnsw: conf.hnsw ?? {} }, null, {
      embeddingFunction: checkEmbeddingFunctionConfig(
        conf.embedding_function ?? null,
        "collection.configuration.embedding_function",
      ),
    });
  } catch (error) {
    if (error instanceof CairnError) throw malformed(at, error.message, error);
    throw error;
  }
  return {
    cairn: "export",
    formatVersion: TRANSFER_FORMAT_VERSION,
    cairnVersion: typeof value.cairnVersion === "string" ? value.cairnVersion : "unknown",
    exportedAt: typeof value.exportedAt === "string" ? value.exportedAt : "",
    embeddings: value.embeddings === "numbers" ? "numbers" : "base64",
    collection: { name: c.name, metadata, configuration, dimension: (c.dimension as number | null) ?? null },
    count: value.count as number,
  };
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function decodeEmbedding(value: unknown, dimension: number | null, at: LineLocation): Float32Array {
  let vector: Float32Array;
  if (typeof value === "string") {
    if (value.length % 4 !== 0 || !BASE64.test(value))
      throw malformed(at, "embedding: not valid base64 (expected little-endian float32 bytes)");
    const bytes = Buffer.from(value, "base64");
    if (bytes.byteLength % 4 !== 0)
      throw malformed(at, `embedding: ${bytes.byteLength} bytes is not a whole number of float32 values`);
    vector = Float32Array.from(bytesToFloat32(bytes));
  } else if (Array.isArray(value)) {
    vector = new Float32Array(value.length);
    for (let i = 0; i < value.length; i++) {
      const x = value[i];
      if (typeof x !== "number")
        throw malformed(at, `embedding[${i}]: expected a number, got ${describeValue(x)}`);
      vector[i] = x;
    }
  } else {
    throw malformed(
      at,
      `embedding: expected a base64 string or an array of numbers, got ${describeValue(value)}`,
    );
  }
  if (vector.length === 0) throw malformed(at, "embedding: expected a non-empty vector");
  for (let i = 0; i < vector.length; i++) {
    if (!Number.isFinite(vector[i]))
      throw malformed(at, `embedding[${i}]: expected a finite number, got ${vector[i]}`);
  }
  if (dimension !== null && vector.length !== dimension) {
    throw malformed(at, `embedding: has ${vector.length} dimensions; the header says ${dimension}`);
  }
  return vector;
}

const RECORD_KEYS = new Set(["id", "document", "uri", "metadata", "embedding"]);

function optionalString(value: unknown, field: string, at: LineLocation): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== "string")
    throw malformed(at, `${field}: expected a string or null, got ${describeValue(value)}`);
  try {
    expectWellFormed(value, field);
  } catch (error) {
    throw malformed(at, (error as Error).message, error);
  }
  return value;
}

/**
 * Decodes and validates one record line completely (the same rules as `add`), so a batch of decoded records
 * can be written without a validation error part-way.
 */
export function decodeRecord(text: string, dimension: number | null, at: LineLocation): TransferRecord {
  const value = parseJsonObject(text, at, "a record object {id, document, uri, metadata, embedding}");
  for (const key of Object.keys(value)) {
    if (!RECORD_KEYS.has(key))
      throw malformed(
        at,
        `unknown field ${JSON.stringify(key)}; expected id, document, uri, metadata, embedding`,
      );
  }
  const id = value.id;
  if (typeof id !== "string" || id.length === 0)
    throw malformed(at, `id: expected a non-empty string, got ${describeValue(id)}`);
  const document = optionalString(value.document, "document", at);
  const uri = optionalString(value.uri, "uri", at);
  let metadata: Metadata | null;
  try {
    expectWellFormed(id, "id");
    const checked = validateMetadata(value.metadata, "metadata", false) as Metadata | null;
    metadata = checked && Object.keys(checked).length > 0 ? checked : null;
  } catch (error) {
    if (error instanceof CairnError) throw malformed(at, error.message, error);
    throw error;
  }
  if (value.embedding === undefined)
    throw malformed(at, "embedding: missing (every record carries its vector)");
  return { id, document, uri, metadata, embedding: decodeEmbedding(value.embedding, dimension, at) };
}
