/**
 * The OpenAPI 3.1 document, generated from the route table (the same entries the app registers and whose
 * request schemas it enforces), so the spec and the server cannot drift apart.
 */
import { chromaKind } from "./errors";
import { COMPONENTS } from "./payloads";
import type { RouteDef } from "./routes/types";
import { ref } from "./schema";
import { SERVER_VERSION } from "./version";

const STATUS_TEXT: Record<number, string> = {
  400: "Invalid argument (unparsable JSON, invalid value or filter)",
  403: "Forbidden by configuration",
  404: "Not found",
  409: "Already exists / duplicate id",
  413: "Request body too large",
  422: "Body of the wrong shape (missing field, wrong type, unknown field)",
  501: "Not supported",
};

const pathParams = (path: string) =>
  [...path.matchAll(/\{(\w+)\}/g)].map((m) => ({
    name: m[1],
    in: "path",
    required: true,
    schema: { type: "string" },
  }));

function operation(route: RouteDef): Record<string, unknown> {
  const responses: Record<string, unknown> = {
    [String(route.ok.status)]: {
      description: route.ok.description,
      ...(route.ok.schema ? { content: { "application/json": { schema: route.ok.schema } } } : {}),
    },
  };
  for (const status of [...route.errors, 500]) {
    responses[String(status)] = {
      description: STATUS_TEXT[status] ?? `${chromaKind(status)}`,
      content: { "application/json": { schema: ref("ErrorResponse") } },
    };
  }
  const query = Object.entries(route.query ?? {}).map(([name, schema]) => ({
    name,
    in: "query",
    required: false,
    schema,
  }));
  return {
    tags: [route.tag],
    summary: route.summary,
    operationId: route.operationId,
    parameters: [...pathParams(route.path), ...query],
    ...(route.body
      ? { requestBody: { required: true, content: { "application/json": { schema: route.body } } } }
      : {}),
    responses,
  };
}

/** Builds the OpenAPI document of the given routes. */
export function buildOpenApi(routes: readonly RouteDef[]): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    paths[route.path] ??= {};
    paths[route.path]![route.method] = operation(route);
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "Cairn server (Chroma REST API v2)",
      description:
        "Chroma's REST API v2 over an embedded Cairn database. Error bodies are Chroma's `{error, message}` plus Cairn's stable `code`.",
      license: { name: "Apache-2.0" },
      version: SERVER_VERSION,
    },
    paths,
    components: { schemas: COMPONENTS },
  };
}
