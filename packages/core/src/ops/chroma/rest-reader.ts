/**
 * Reads collections from a running Chroma server through its REST API (v2): the collection list, then each
 * collection's records in pages of `get` with embeddings, documents, metadatas and uris.
 */
import { ConnectionError, NotFoundError } from "../../errors";
import type { Metadata } from "../../types";
import type { ChromaCollectionSource, ChromaRecord } from "./types";

/** Where and how to reach the server. */
export interface ChromaServer {
  /** e.g. `http://localhost:8000` */
  url: string;
  tenant: string;
  database: string;
  /** Extra request headers (e.g. `{ "x-chroma-token": "…" }`). */
  headers?: Record<string, string>;
}

interface WireCollection {
  id: string;
  name: string;
  dimension?: number | null;
  metadata?: Record<string, string | number | boolean> | null;
  configuration_json?: Record<string, unknown> | null;
}
interface WireGet {
  ids: string[];
  embeddings?: number[][] | null;
  documents?: (string | null)[] | null;
  metadatas?: (Metadata | null)[] | null;
  uris?: (string | null)[] | null;
}

/**
 * Lists the collections of `server.database` with lazy record pages.
 * @throws ConnectionError `CONNECTION_FAILED` when the server cannot be reached or answers an error
 * @throws NotFoundError `DATABASE_NOT_FOUND` when the tenant or database does not exist there
 */
export async function listChromaServerCollections(server: ChromaServer): Promise<ChromaCollectionSource[]> {
  const base = `${server.url.replace(/\/+$/, "")}/api/v2/tenants/${encodeURIComponent(server.tenant)}/databases/${encodeURIComponent(server.database)}`;
  const call = async <T>(path: string, body?: unknown): Promise<T> => {
    const url = `${base}${path}`;
    let res: Response;
    try {
      res = await fetch(url, {
        method: body === undefined ? "GET" : "POST",
        headers: { "content-type": "application/json", ...server.headers },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (cause) {
      throw new ConnectionError(
        "CONNECTION_FAILED",
        `Cannot reach Chroma at ${server.url} (${(cause as Error).message}). Is the server running?`,
        {
          cause,
          details: { url },
        },
      );
    }
    const text = await res.text();
    if (res.status === 404 && path === "/collections?limit=100&offset=0")
      throw new NotFoundError(
        "DATABASE_NOT_FOUND",
        `Chroma at ${server.url} has no database "${server.database}" in tenant "${server.tenant}".`,
        {
          details: { url, tenant: server.tenant, database: server.database },
        },
      );
    if (!res.ok)
      throw new ConnectionError(
        "CONNECTION_FAILED",
        `Chroma answered ${res.status} to ${body === undefined ? "GET" : "POST"} ${url}: ${text.slice(0, 300)}`,
        {
          details: { url, status: res.status },
        },
      );
    return JSON.parse(text) as T;
  };
  const wire: WireCollection[] = [];
  for (let offset = 0; ; offset += 100) {
    const page = await call<WireCollection[]>(`/collections?limit=100&offset=${offset}`);
    wire.push(...page);
    if (page.length < 100) break;
  }
  const out: ChromaCollectionSource[] = [];
  for (const c of wire) {
    const count = await call<number>(`/collections/${c.id}/count`);
    out.push({
      name: c.name,
      tenant: server.tenant,
      database: server.database,
      dimension: c.dimension ?? null,
      metadata: c.metadata ?? null,
      configuration: c.configuration_json ?? null,
      count,
      async *records(pageSize) {
        for (let offset = 0; ; offset += pageSize) {
          const got = await call<WireGet>(`/collections/${c.id}/get`, {
            limit: pageSize,
            offset,
            include: ["embeddings", "documents", "metadatas", "uris"],
          });
          if (got.ids.length === 0) return;
          const page: ChromaRecord[] = got.ids.map((id, i) => ({
            id,
            embedding: got.embeddings?.[i] ?? [],
            document: got.documents?.[i] ?? null,
            uri: got.uris?.[i] ?? null,
            metadata: got.metadatas?.[i] ?? null,
          }));
          yield page;
          if (got.ids.length < pageSize) return;
        }
      },
    });
  }
  return out;
}
