/** Liveness, version, limits, identity and reset. */
import { ForbiddenError } from "@cairndb/core";
import { bool, num, obj, record, str, u32 } from "../schema";
import { SERVER_VERSION } from "../version";
import type { RouteDef } from "./types";

/** Chroma's advertised batch limit (what its 1.0 server reports; Cairn itself has no fixed limit). */
export const MAX_BATCH_SIZE = 5461;

const heartbeat = (path: string, operationId: string): RouteDef => ({
  method: "get",
  path,
  operationId,
  summary: "Server time in nanoseconds (a liveness check).",
  tag: "system",
  ok: { status: 200, description: "The heartbeat", schema: record(num()) },
  errors: [],
  async handle(_input, env) {
    return { body: { "nanosecond heartbeat": await env.client.heartbeat() } };
  },
});

/** System routes. */
export const systemRoutes: RouteDef[] = [
  heartbeat("/api/v2/heartbeat", "heartbeat"),
  heartbeat("/api/v2", "heartbeat_root"),
  {
    method: "get",
    path: "/api/v2/version",
    operationId: "version",
    summary: "The Cairn server version (a JSON string).",
    tag: "system",
    ok: { status: 200, description: "The version", schema: str() },
    errors: [],
    handle: () => ({ body: SERVER_VERSION }),
  },
  {
    method: "get",
    path: "/api/v2/healthcheck",
    operationId: "healthcheck",
    summary:
      "Whether the server can serve requests: 503 while the database is opening or the server shuts down.",
    tag: "system",
    ok: {
      status: 200,
      description: "Ready",
      schema: obj({ is_executor_ready: bool(), is_log_client_ready: bool() }),
    },
    errors: [503],
    handle: (_input, env) => {
      const ready = env.isReady?.() ?? true;
      return { status: ready ? 200 : 503, body: { is_executor_ready: ready, is_log_client_ready: ready } };
    },
  },
  {
    method: "get",
    path: "/api/v2/pre-flight-checks",
    operationId: "pre_flight_checks",
    summary: "Limits and capabilities the chromadb client asks for before writing.",
    tag: "system",
    ok: {
      status: 200,
      description: "Capabilities",
      schema: obj({
        max_batch_size: u32(),
        supports_base64_encoding: bool(),
        cairn_write_options: bool(),
      }),
    },
    errors: [],
    handle: () => ({
      body: { max_batch_size: MAX_BATCH_SIZE, supports_base64_encoding: true, cairn_write_options: true },
    }),
  },
  {
    method: "get",
    path: "/api/v2/auth/identity",
    operationId: "get_user_identity",
    summary:
      "The caller's identity: with an auth file, the token's name, tenant and databases; without, the defaults.",
    tag: "system",
    ok: {
      status: 200,
      description: "Identity",
      schema: obj({ user_id: str(), tenant: str(), databases: { type: "array", items: str() } }),
    },
    errors: [],
    handle: () => ({ body: { user_id: "", tenant: "default_tenant", databases: ["default_database"] } }),
  },
  {
    method: "post",
    path: "/api/v2/reset",
    operationId: "reset",
    summary: "Deletes every tenant, database and collection. Only when the server runs with --allow-reset.",
    tag: "system",
    ok: { status: 200, description: "Reset done", schema: bool() },
    errors: [403],
    async handle(_input, env) {
      if (!env.allowReset) {
        throw new ForbiddenError(
          "RESET_DISABLED",
          "Reset is disabled by config: start the server with --allow-reset to enable it.",
        );
      }
      await env.client.reset();
      return { body: true };
    },
  },
];
