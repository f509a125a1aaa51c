/** Record operations of one collection (addressed by UUID): add, upsert, update, get, query, delete, count. */
import {
  type AddOptions,
  type Collection,
  EmbeddingError,
  type IncludeField,
  UnsupportedError,
  type UpdateOptions,
  type UpsertOptions,
} from "@cairndb/core";
import { obj, ref, u32 } from "../schema";
import { decodeEmbedding, getResultJson, queryResultJson } from "../wire";
import { collectionById } from "./lookup";
import type { RouteDef } from "./types";

const ONE = "/api/v2/tenants/{tenant}/databases/{database}/collections/{collection_id}";

interface WriteBody {
  ids: string[];
  embeddings?: (number[] | string | null)[] | null;
  documents?: (string | null)[] | null;
  metadatas?: (Record<string, unknown> | null)[] | null;
  uris?: (string | null)[] | null;
  /** Cairn's extension (add and upsert): the write options of Cairn's HttpClient. */
  cairn?: { on_duplicate?: "error" | "ignore" | null; metadata?: "merge" | "replace" | null } | null;
}

const orUndefined = <T>(value: T | null | undefined): T | undefined => value ?? undefined;

/** A write body as core's options (base64 vectors decoded). */
function toWriteOptions(body: WriteBody) {
  return {
    ids: body.ids,
    embeddings: body.embeddings?.map((e, i) => decodeEmbedding(e, `embeddings[${i}]`)) ?? undefined,
    documents: orUndefined(body.documents),
    metadatas: orUndefined(body.metadatas),
    uris: orUndefined(body.uris),
  };
}

function notEmbedding(path: string): EmbeddingError {
  return new EmbeddingError(
    "EMBEDDING_FUNCTION_MISSING",
    `${path}: a document without an embedding. The server never embeds (clients do): send the document's new embedding with it.`,
    { details: { path } },
  );
}

/**
 * Chroma's update allows `null` embeddings ("keep this record's vector"), as core's update does: one call, one
 * transaction. A new document needs its new embedding (the server never embeds).
 */
async function update(collection: Collection, body: WriteBody): Promise<void> {
  const options = toWriteOptions(body);
  const changedDocument = body.ids.findIndex(
    (_, i) => options.documents?.[i] != null && options.embeddings?.[i] == null,
  );
  if (changedDocument >= 0) throw notEmbedding(`documents[${changedDocument}]`);
  await collection.update(options as UpdateOptions);
}

const write = (verb: "add" | "upsert", payload: string, status: number): RouteDef => ({
  method: "post",
  path: `${ONE}/${verb}`,
  operationId: `collection_${verb}`,
  summary:
    verb === "add"
      ? 'Adds records; an existing id fails the whole batch with 409 DUPLICATE_ID unless the server runs with onDuplicate "ignore" (Chroma\'s behaviour) or the body says `cairn.on_duplicate`.'
      : 'Inserts new ids and updates existing ones (metadata merged key by key, or replaced with `cairn.metadata: "replace"`).',
  tag: "records",
  body: ref(payload),
  ok: { status, description: "Written", schema: obj({}) },
  errors: [400, 404, 409, 413, 422],
  async handle({ params, body }, env) {
    const collection = await collectionById(env, params);
    const options = toWriteOptions(body as WriteBody);
    const cairn = (body as WriteBody).cairn;
    if (verb === "add") {
      await collection.add(options as AddOptions, {
        onDuplicate: cairn?.on_duplicate ?? env.onDuplicate,
      });
    } else {
      await collection.upsert(options as UpsertOptions, { metadata: cairn?.metadata ?? "merge" });
    }
    return { status, body: {} };
  },
});

/** Record routes. */
export const recordRoutes: RouteDef[] = [
  write("add", "AddCollectionRecordsPayload", 201),
  write("upsert", "UpsertCollectionRecordsPayload", 200),
  {
    method: "post",
    path: `${ONE}/update`,
    operationId: "collection_update",
    summary: "Updates existing records; a missing id fails the whole batch with 404 NOT_FOUND.",
    tag: "records",
    body: ref("UpdateCollectionRecordsPayload"),
    ok: { status: 200, description: "Updated", schema: obj({}) },
    errors: [400, 404, 413, 422],
    async handle({ params, body }, env) {
      await update(await collectionById(env, params), body);
      return { body: {} };
    },
  },
  {
    method: "post",
    path: `${ONE}/get`,
    operationId: "collection_get",
    summary: "Records by ids and/or filters, in insertion order.",
    tag: "records",
    body: ref("GetRequestPayload"),
    ok: { status: 200, description: "The records", schema: ref("GetResponse") },
    errors: [400, 404, 422],
    async handle({ params, body }, env) {
      const collection = await collectionById(env, params);
      const include: IncludeField[] = body.include ?? ["documents", "metadatas"];
      const result = await collection.get({
        ids: orUndefined(body.ids),
        where: orUndefined(body.where),
        whereDocument: orUndefined(body.where_document),
        limit: orUndefined(body.limit),
        offset: orUndefined(body.offset),
        // Chroma accepts `distances` here and ignores it.
        include: include.filter((f) => f !== "distances") as Exclude<IncludeField, "distances">[],
      });
      return { body: getResultJson(result, include) };
    },
  },
  {
    method: "post",
    path: `${ONE}/query`,
    operationId: "collection_query",
    summary: "Nearest neighbours of each query embedding among the records matching the filters.",
    tag: "records",
    body: ref("QueryRequestPayload"),
    ok: { status: 200, description: "One row per query embedding", schema: ref("QueryResponse") },
    errors: [400, 404, 422],
    async handle({ params, body }, env) {
      const collection = await collectionById(env, params);
      const include: IncludeField[] = body.include ?? ["documents", "metadatas", "distances"];
      const result = await collection.query({
        queryEmbeddings: body.query_embeddings,
        nResults: body.n_results ?? 10,
        ids: orUndefined(body.ids),
        where: orUndefined(body.where),
        whereDocument: orUndefined(body.where_document),
        include,
      });
      return { body: queryResultJson(result, include) };
    },
  },
  {
    method: "post",
    path: `${ONE}/delete`,
    operationId: "collection_delete",
    summary: "Deletes records by ids and/or filters (`limit` honoured); returns how many.",
    tag: "records",
    body: ref("DeleteCollectionRecordsPayload"),
    ok: { status: 200, description: "Deleted", schema: obj({ deleted: u32() }) },
    errors: [400, 404, 422],
    async handle({ params, body }, env) {
      const collection = await collectionById(env, params);
      const result = await collection.delete({
        ids: orUndefined(body.ids),
        where: orUndefined(body.where),
        whereDocument: orUndefined(body.where_document),
        limit: orUndefined(body.limit),
      });
      return { body: { deleted: result.deleted } };
    },
  },
  {
    method: "get",
    path: `${ONE}/count`,
    operationId: "collection_count",
    summary: "Number of records (a bare JSON number). `read_level` is accepted and ignored.",
    tag: "records",
    ok: { status: 200, description: "The count", schema: u32() },
    errors: [400, 404],
    async handle({ params }, env) {
      return { body: await (await collectionById(env, params)).count() };
    },
  },
  {
    method: "get",
    path: `${ONE}/indexing_status`,
    operationId: "indexing_status",
    summary: "Indexing progress: Cairn indexes every write before acknowledging it.",
    tag: "records",
    ok: {
      status: 200,
      description: "Progress",
      schema: obj({
        num_indexed_ops: u32(),
        num_unindexed_ops: u32(),
        op_indexing_progress: { type: "number" },
        total_ops: u32(),
      }),
    },
    errors: [400, 404],
    async handle({ params }, env) {
      const n = await (await collectionById(env, params)).count();
      return { body: { num_indexed_ops: n, num_unindexed_ops: 0, op_indexing_progress: 1, total_ops: n } };
    },
  },
  {
    method: "post",
    path: `${ONE}/search`,
    operationId: "collection_search",
    summary: "Chroma's Search API: not supported yet (501); use query.",
    tag: "records",
    body: ref("SearchRequestPayload"),
    ok: { status: 200, description: "Never returned" },
    errors: [404, 422, 501],
    async handle({ params }, env) {
      await collectionById(env, params);
      throw new UnsupportedError(
        "UNSUPPORTED",
        "The Search API (collection.search) is not supported by Cairn yet; use query.",
      );
    },
  },
];
