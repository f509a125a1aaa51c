/** The route table: every operation the server answers, in one list (the app and `/openapi.json` use it). */
import { buildOpenApi } from "../openapi";
import { anyValue } from "../schema";
import { collectionRoutes } from "./collections";
import { metricsRoute } from "./metrics";
import { recordRoutes } from "./records";
import { systemRoutes } from "./system";
import { tenantRoutes } from "./tenants";
import type { RouteDef } from "./types";

export type { Method, Reply, RouteDef, RouteEnv, RouteInput } from "./types";

let spec: Record<string, unknown> | undefined;

const openApiRoute: RouteDef = {
  method: "get",
  path: "/openapi.json",
  operationId: "openapi",
  summary: "This OpenAPI document.",
  tag: "system",
  ok: { status: 200, description: "OpenAPI 3.1", schema: anyValue },
  errors: [],
  handle: () => {
    spec ??= buildOpenApi(ROUTES);
    return { body: spec };
  },
};

/** Every route of the API. */
export const ROUTES: readonly RouteDef[] = [
  ...systemRoutes,
  ...tenantRoutes,
  ...collectionRoutes,
  ...recordRoutes,
  metricsRoute,
  openApiRoute,
];
