/** The route table's types: one entry per operation, used by the app, the request checks and the OpenAPI spec. */
import type { AddWriteOptions, CairnClient } from "@cairndb/core";
import type { ServerMetrics } from "../metrics";
import type { Schema } from "../schema";

/** HTTP methods of the API. */
export type Method = "get" | "post" | "put" | "patch" | "delete";

/** What a handler gets: path parameters, parsed query parameters and the checked JSON body. */
export interface RouteInput<TBody = unknown> {
  params: Record<string, string>;
  query: Record<string, number | string | undefined>;
  body: TBody;
  /** With auth: whether the request's token may see a database of this name (absent: it sees them all). */
  seesDatabase?: ((name: string) => boolean) | undefined;
}

/** What a route may use: the server's one client and its settings. */
export interface RouteEnv {
  client: CairnClient;
  allowReset: boolean;
  /** What `add` does with existing ids when the request has no `cairn.on_duplicate`. */
  onDuplicate: DuplicateMode;
  /** The app's metrics (`GET /metrics`); absent when turned off. */
  metrics?: ServerMetrics;
  /** Whether the server is ready for traffic (healthcheck); absent = always. */
  isReady?: () => boolean;
}

/** A handler's answer (JSON body; status 200 unless given). */
export interface Reply {
  status?: number;
  body: unknown;
  /** A ready response sent as is instead of `body` as JSON (non-JSON answers such as `/metrics`). */
  response?: Response;
}

/** One operation of the API. */
export interface RouteDef {
  method: Method;
  /** OpenAPI-style path, e.g. `/api/v2/tenants/{tenant}`. */
  path: string;
  operationId: string;
  summary: string;
  tag: "system" | "tenants" | "databases" | "collections" | "records";
  /** The request body's schema; a route without one ignores any body. */
  body?: Schema;
  /** Query parameters (integers are parsed; a bad one is a 400 like Chroma's). */
  query?: Record<string, Schema>;
  /** The success response. */
  ok: { status: number; description: string; schema?: Schema };
  /** Error statuses this route can answer with (documented in the spec). */
  errors: number[];
  // biome-ignore lint/suspicious/noExplicitAny: the body was checked against `body` before the handler runs.
  handle(input: RouteInput<any>, env: RouteEnv): Promise<Reply> | Reply;
}

/**
 * What `add` does with an id that already exists: `error` (Cairn's default, `DUPLICATE_ID`) or `ignore`
 * (Chroma's behaviour, which integrations built on the official client rely on).
 */
export type DuplicateMode = NonNullable<AddWriteOptions["onDuplicate"]>;

/** Whether a value names a {@link DuplicateMode}. */
export function isDuplicateMode(value: unknown): value is DuplicateMode {
  return value === "ignore" || value === "error";
}
