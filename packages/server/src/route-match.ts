/**
 * Maps a request path to its route template (`/api/v2/tenants/{tenant}/…`) and path parameters, so metrics and
 * logs are labelled by a bounded set of templates rather than raw paths.
 */

/** What {@link RouteMatcher.match} found: the template (or `unmatched`) and the path parameters. */
export interface RouteMatch {
  /** The route template, e.g. `/api/v2/tenants/{tenant}/databases/{database}`; `unmatched` for any other path. */
  route: string;
  /** Path parameters by name (empty when unmatched). */
  params: Record<string, string>;
}

/** The route label of a path that matches no template (one label for every unknown path). */
export const UNMATCHED_ROUTE = "unmatched";

interface Compiled {
  template: string;
  pattern: RegExp;
  names: string[];
  literals: number;
}

function compile(template: string): Compiled {
  const names: string[] = [];
  const segments = template.split("/");
  const source = segments
    .map((segment) => {
      const param = /^\{(\w+)\}$/.exec(segment);
      if (!param) return segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      names.push(param[1]!);
      return "([^/]+)";
    })
    .join("/");
  return { template, pattern: new RegExp(`^${source}/?$`), names, literals: segments.length - names.length };
}

/** A matcher over a fixed list of route templates. */
export interface RouteMatcher {
  /** The template `path` belongs to; a literal segment wins over a parameter (`…/by-id/x` over `…/{id}`). */
  match(path: string): RouteMatch;
}

/**
 * Builds a matcher over route templates written with `{name}` parameters.
 * @example createRouteMatcher(["/a/{id}"]).match("/a/7") // { route: "/a/{id}", params: { id: "7" } }
 */
export function createRouteMatcher(templates: Iterable<string>): RouteMatcher {
  const compiled = [...new Set(templates)].map(compile).sort((a, b) => b.literals - a.literals);
  return {
    match(path) {
      for (const entry of compiled) {
        const found = entry.pattern.exec(path);
        if (!found) continue;
        const params: Record<string, string> = {};
        entry.names.forEach((name, i) => {
          const raw = found[i + 1]!;
          try {
            params[name] = decodeURIComponent(raw);
          } catch {
            params[name] = raw;
          }
        });
        return { route: entry.template, params };
      }
      return { route: UNMATCHED_ROUTE, params: {} };
    },
  };
}
