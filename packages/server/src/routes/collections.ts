/** Collection CRUD: list, create, count, get (by name, id or CRN), modify, delete, fork. */
import {
  applySchema,
  type CollectionMetadata,
  type CreateCollectionConfiguration,
  type CreateCollectionOptions,
  UnsupportedError,
} from "@cairndb/core";
import { RequestError } from "../errors";
import { arr, obj, ref, u32 } from "../schema";
import { collectionJson } from "../wire";
import { collectionById, scoped } from "./lookup";
import { NO_LIMIT } from "./tenants";
import type { RouteDef } from "./types";

const COLLECTIONS = "/api/v2/tenants/{tenant}/databases/{database}/collections";
const ONE = `${COLLECTIONS}/{collection_id}`;
const collection = { status: 200, description: "The collection", schema: ref("Collection") };
const empty = { status: 200, description: "Done", schema: obj({}) };

type Config = CreateCollectionConfiguration & Record<string, unknown>;

/** Drops `null` members: on the wire they mean "not given" (Rust `Option`), in core `null` can mean "clear". */
function dropNulls<T extends Record<string, unknown>>(value: T | null | undefined): T | undefined {
  if (value === null || value === undefined) return undefined;
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null)) as T;
}

/**
 * The space a Chroma server would use. Cairn's clients apply an embedding function's preferred space when none
 * is given; the server never does (the chromadb client sends the space it wants), so l2 is made explicit.
 */
function withExplicitSpace(
  configuration: Config | undefined,
  metadata: CollectionMetadata | undefined,
): Config {
  const config: Config = { ...(configuration ?? {}) };
  const hnsw = dropNulls(config.hnsw as Record<string, unknown> | null | undefined);
  const spann = dropNulls(config.spann as Record<string, unknown> | null | undefined);
  if (metadata?.["hnsw:space"] !== undefined || hnsw?.space !== undefined || spann?.space !== undefined)
    return config;
  if (spann) config.spann = { ...spann, space: "l2" };
  else config.hnsw = { ...(hnsw ?? {}), space: "l2" };
  return config;
}

/** Collection routes. */
export const collectionRoutes: RouteDef[] = [
  {
    method: "get",
    path: COLLECTIONS,
    operationId: "list_collections",
    summary: "Collections of a database in creation order (all of them without `limit`).",
    tag: "collections",
    query: { limit: u32(), offset: u32() },
    ok: { status: 200, description: "Collections", schema: arr(ref("Collection")) },
    errors: [400],
    async handle({ params, query }, env) {
      const rows = await scoped(env, params).listCollections({
        limit: (query.limit as number | undefined) ?? NO_LIMIT,
        offset: (query.offset as number | undefined) ?? 0,
      });
      return { body: rows.map(collectionJson) };
    },
  },
  {
    method: "post",
    path: COLLECTIONS,
    operationId: "create_collection",
    summary:
      "Creates a collection, or returns the existing one with `get_or_create` (its settings unchanged). A `schema` may only set the vector index's space and hnsw settings (400 `INVALID_CONFIGURATION` otherwise).",
    tag: "collections",
    body: ref("CreateCollectionPayload"),
    ok: collection,
    errors: [400, 404, 409, 422],
    async handle({ params, body }, env) {
      const metadata = (body.metadata ?? undefined) as CollectionMetadata | undefined;
      // A Chroma schema is honoured where it maps 1:1 onto the configuration (space, hnsw), refused otherwise.
      const requested = applySchema(body.configuration ?? undefined, body.schema ?? undefined) as
        | Config
        | undefined;
      const configuration = withExplicitSpace(requested, metadata);
      const options: CreateCollectionOptions = { name: body.name, metadata, configuration };
      // No identity sent: a vectors-only collection (Chroma stores `embedding_function: null`).
      if (configuration.embedding_function === undefined) options.embeddingFunction = null;
      const client = scoped(env, params);
      const created = body.get_or_create
        ? await client.getOrCreateCollection(options)
        : await client.createCollection(options);
      return { body: collectionJson(created) };
    },
  },
  {
    method: "get",
    path: "/api/v2/tenants/{tenant}/databases/{database}/collections_count",
    operationId: "count_collections",
    summary: "Number of collections in a database (a bare JSON number).",
    tag: "collections",
    ok: { status: 200, description: "The count", schema: u32() },
    errors: [],
    async handle({ params }, env) {
      return { body: await scoped(env, params).countCollections() };
    },
  },
  {
    method: "get",
    path: ONE,
    operationId: "get_collection",
    summary: "A collection by name.",
    tag: "collections",
    ok: collection,
    errors: [400, 404],
    async handle({ params }, env) {
      const found = await scoped(env, params).getCollection({
        name: params.collection_id!,
        embeddingFunction: null,
      });
      return { body: collectionJson(found) };
    },
  },
  {
    method: "put",
    path: ONE,
    operationId: "update_collection",
    summary: "Renames a collection (by UUID), replaces its metadata, or changes mutable settings.",
    tag: "collections",
    body: ref("UpdateCollectionPayload"),
    ok: empty,
    errors: [400, 404, 409, 422],
    async handle({ params, body }, env) {
      const target = await collectionById(env, params);
      await target.modify({
        name: body.new_name ?? undefined,
        metadata: body.new_metadata ?? undefined,
        configuration: dropNulls(body.new_configuration),
      });
      return { body: {} };
    },
  },
  {
    method: "delete",
    path: ONE,
    operationId: "delete_collection",
    summary: "Deletes a collection (by name) and all its records.",
    tag: "collections",
    ok: empty,
    errors: [400, 404],
    async handle({ params }, env) {
      await scoped(env, params).deleteCollection({ name: params.collection_id! });
      return { body: {} };
    },
  },
  {
    method: "get",
    path: `${COLLECTIONS}/by-id/{collection_id}`,
    operationId: "get_collection_by_id",
    summary: "A collection by UUID.",
    tag: "collections",
    ok: collection,
    errors: [400, 404],
    async handle({ params }, env) {
      return { body: collectionJson(await collectionById(env, params)) };
    },
  },
  {
    method: "get",
    path: "/api/v2/collections/{crn}",
    operationId: "get_collection_by_crn",
    summary: "A collection by CRN `tenant:database:name`.",
    tag: "collections",
    ok: collection,
    errors: [400, 404],
    async handle({ params }, env) {
      const parts = params.crn!.split(":");
      if (parts.length !== 3) {
        throw new RequestError(
          400,
          "INVALID_ARGUMENT",
          `crn: expected "tenant:database:collection", got ${JSON.stringify(params.crn)}`,
        );
      }
      const [tenant, database, name] = parts as [string, string, string];
      const found = await env.client
        .withDatabase({ tenant, database })
        .getCollection({ name, embeddingFunction: null });
      return { body: collectionJson(found) };
    },
  },
  {
    method: "post",
    path: `${ONE}/fork`,
    operationId: "fork_collection",
    summary: "Not supported (501), as on a local Chroma.",
    tag: "collections",
    body: ref("ForkCollectionPayload"),
    ok: collection,
    errors: [404, 422, 501],
    async handle({ params }, env) {
      await collectionById(env, params);
      throw new UnsupportedError(
        "UNSUPPORTED",
        "Collection forking is unsupported by Cairn (as by a local Chroma).",
      );
    },
  },
  {
    method: "get",
    path: `${ONE}/fork_count`,
    operationId: "fork_count",
    summary: "Number of forks: always 0.",
    tag: "collections",
    ok: { status: 200, description: "The count", schema: obj({ count: u32() }) },
    errors: [400, 404],
    async handle({ params }, env) {
      await collectionById(env, params);
      return { body: { count: 0 } };
    },
  },
];
