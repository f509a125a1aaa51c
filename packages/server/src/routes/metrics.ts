/** `GET /metrics`: the app's Prometheus metrics (see metrics.ts); 404 with an empty body when turned off. */
import type { RouteDef } from "./types";

/** The Prometheus endpoint, in the route table like every other route (for the spec and per-route rules). */
export const metricsRoute: RouteDef = {
  method: "get",
  path: "/metrics",
  operationId: "metrics",
  summary: "Prometheus metrics in the text exposition format (text/plain; version=0.0.4). Cairn extension.",
  tag: "system",
  ok: { status: 200, description: "Prometheus text format" },
  errors: [404],
  async handle(_input, env) {
    if (!env.metrics) return { response: new Response(null, { status: 404 }), body: null };
    const { registry } = env.metrics;
    const text = await registry.metrics();
    return {
      response: new Response(text, { status: 200, headers: { "content-type": registry.contentType } }),
      body: null,
    };
  },
};
