/** Finding the client and collection a request addresses. */
import { type CairnClient, type Collection, NotFoundError } from "@cairndb/core";
import { expectUuid } from "../wire";
import type { RouteEnv } from "./types";

/** The server's client scoped to the request's tenant and database (a view: no new connection). */
export function scoped(env: RouteEnv, params: Record<string, string>): CairnClient {
  return env.client.withDatabase({ tenant: params.tenant!, database: params.database! });
}

/**
 * The collection of a record operation: by UUID, and it must live in the path's tenant and database.
 * The handle has no embedding function on the server: the server never embeds (clients do).
 */
export async function collectionById(env: RouteEnv, params: Record<string, string>): Promise<Collection> {
  const id = expectUuid(params.collection_id!);
  const collection = await env.client.getCollectionById(id);
  if (collection.tenant !== params.tenant || collection.database !== params.database) {
    throw new NotFoundError(
      "COLLECTION_NOT_FOUND",
      `Collection ${id} does not exist in tenant '${params.tenant}', database '${params.database}'.`,
      { details: { id } },
    );
  }
  return collection;
}
