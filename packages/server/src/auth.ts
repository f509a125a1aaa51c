/**
 * Authentication and authorisation: API tokens read from an auth file (YAML or JSON, tokens stored as SHA-256
 * hashes), checked in constant time, and one access rule per route (`ACCESS`, keyed by operationId). A token
 * sees only its tenants and databases: anything outside them answers 404 exactly as if it did not exist, and
 * list endpoints leave it out; a visible resource the token's role may not touch answers 403 `FORBIDDEN`.
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { type FSWatcher, readFileSync, watch } from "node:fs";
import { basename, dirname } from "node:path";
import { type CairnClient, invalidArgument, type Logger } from "@cairndb/core";
import type { Context, MiddlewareHandler } from "hono";
import { parse as parseYaml } from "yaml";
import { RequestError } from "./errors";
import type { RouteDef } from "./routes/types";

/** The roles, weakest first: each has every right of the ones before it. */
export const ROLES = ["reader", "writer", "admin"] as const;
/** A token's role. */
export type Role = (typeof ROLES)[number];

/** One token of the auth file. The token itself is never stored: only its SHA-256 hash. */
export interface TokenEntry {
  /** A unique name (shown in logs and `cairn tokens list`; used by `cairn tokens revoke`). */
  name: string;
  role: Role;
  /** Tenant names or patterns (`*` matches any run of characters: `*`, `team-*`). */
  tenants: string[];
  /** Database names or patterns, in every tenant of `tenants`. */
  databases: string[];
  /** Hex SHA-256 of the token. */
  sha256: string;
  /** When the token was created (ISO 8601), informational. */
  created?: string;
}

/** The auth file's content. */
export interface AuthConfig {
  tokens: TokenEntry[];
}

/** The prefix of generated tokens (recognisable in secret scanners). */
export const TOKEN_PREFIX = "cairn_";

/** A new random token: `cairn_` + 32 random bytes in base64url (256 bits). */
export function generateToken(): string {
  return TOKEN_PREFIX + randomBytes(32).toString("base64url");
}

/**
 * The hex SHA-256 of a token. A fast hash is enough: generated tokens carry 256 random bits, so a stolen auth
 * file cannot be brute-forced, and a slow KDF (scrypt) would add tens of milliseconds to every request.
 */
export function hashToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

const ENTRY_KEYS = ["name", "role", "tenants", "databases", "sha256", "created"];

function stringList(value: unknown, path: string): string[] {
  const list = typeof value === "string" ? [value] : value;
  if (!Array.isArray(list) || list.length === 0 || list.some((v) => typeof v !== "string" || v.length === 0))
    throw invalidArgument(path, 'expected a non-empty list of names or patterns (use "*" for all)');
  return list as string[];
}

/**
 * Parses and checks an auth file (YAML, or JSON, which is YAML too). Every problem names its place.
 * @throws InvalidArgumentError code `INVALID_ARGUMENT` for a malformed file, an unknown role, a bad hash, a
 *   duplicate name or an unknown key
 */
export function parseAuthConfig(text: string, source = "auth file"): AuthConfig {
  let doc: unknown;
  try {
    doc = text.trim().length === 0 ? { tokens: [] } : parseYaml(text);
  } catch (error) {
    throw invalidArgument(source, `not valid YAML or JSON: ${(error as Error).message}`);
  }
  if (doc === null || typeof doc !== "object" || Array.isArray(doc))
    throw invalidArgument(source, "expected an object with a `tokens` list");
  for (const key of Object.keys(doc))
    if (key !== "tokens") throw invalidArgument(`${source}: ${key}`, "unknown key; expected only `tokens`");
  const raw = (doc as { tokens?: unknown }).tokens ?? [];
  if (!Array.isArray(raw)) throw invalidArgument(`${source}: tokens`, "expected a list");
  const names = new Set<string>();
  const tokens = raw.map((entry, i): TokenEntry => {
    const path = `${source}: tokens[${i}]`;
    if (entry === null || typeof entry !== "object" || Array.isArray(entry))
      throw invalidArgument(path, "expected an object with name, role, tenants, databases and sha256");
    for (const key of Object.keys(entry))
      if (!ENTRY_KEYS.includes(key))
        throw invalidArgument(`${path}.${key}`, `unknown key; expected one of ${ENTRY_KEYS.join(", ")}`);
    const e = entry as Record<string, unknown>;
    if (typeof e.name !== "string" || e.name.length === 0)
      throw invalidArgument(`${path}.name`, "expected a non-empty string");
    if (names.has(e.name))
      throw invalidArgument(`${path}.name`, `duplicate token name ${JSON.stringify(e.name)}`);
    names.add(e.name);
    if (!ROLES.includes(e.role as Role))
      throw invalidArgument(
        `${path}.role`,
        `expected reader, writer or admin, got ${JSON.stringify(e.role)}`,
      );
    if (typeof e.sha256 === "number")
      throw invalidArgument(`${path}.sha256`, "read as a number by YAML; put the hash in quotes");
    if (typeof e.sha256 !== "string" || !/^[0-9a-f]{64}$/.test(e.sha256))
      throw invalidArgument(
        `${path}.sha256`,
        "expected the token's SHA-256 as 64 lowercase hex digits (create tokens with `cairn tokens create`)",
      );
    const out: TokenEntry = {
      name: e.name,
      role: e.role as Role,
      tenants: stringList(e.tenants, `${path}.tenants`),
      databases: stringList(e.databases, `${path}.databases`),
      sha256: e.sha256,
    };
    if (e.created !== undefined) out.created = String(e.created);
    return out;
  });
  return { tokens };
}

/**
 * Reads and parses an auth file. A missing file is an empty one when `missingOk` (for `cairn tokens create`).
 * @throws InvalidArgumentError code `INVALID_ARGUMENT` when the file cannot be read or is malformed
 */
export function readAuthFile(path: string, missingOk = false): AuthConfig {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (missingOk && code === "ENOENT") return { tokens: [] };
    throw invalidArgument(path, `cannot read the auth file (${code ?? (error as Error).message})`);
  }
  return parseAuthConfig(text, path);
}

/** A compiled name pattern: `*` matches any run of characters. */
function matcher(patterns: string[]): (name: string) => boolean {
  if (patterns.includes("*")) return () => true;
  const regexes = patterns.map(
    (p) =>
      new RegExp(
        `^${p
          .split("*")
          .map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
          .join(".*")}$`,
      ),
  );
  return (name) => regexes.some((r) => r.test(name));
}

/** A token as the server uses it. */
export interface Principal {
  entry: TokenEntry;
  rank: number;
  seesTenant(name: string): boolean;
  seesDatabase(name: string): boolean;
  /** Whether the token covers every tenant and database (`*` for both). */
  global: boolean;
}

function principalOf(entry: TokenEntry): Principal {
  return {
    entry,
    rank: ROLES.indexOf(entry.role),
    seesTenant: matcher(entry.tenants),
    seesDatabase: matcher(entry.databases),
    global: entry.tenants.includes("*") && entry.databases.includes("*"),
  };
}

/** The tokens the server accepts; `replace` swaps them atomically (a reload). */
export class TokenStore {
  #principals: { hash: Buffer; principal: Principal }[] = [];

  constructor(config: AuthConfig) {
    this.replace(config);
  }

  /** Number of tokens. */
  get size(): number {
    return this.#principals.length;
  }

  /** Replaces every token (in-flight requests keep the token they were checked with). */
  replace(config: AuthConfig): void {
    this.#principals = config.tokens.map((entry) => ({
      hash: Buffer.from(entry.sha256, "hex"),
      principal: principalOf(entry),
    }));
  }

  /**
   * The principal of a presented token, or undefined. Compares the token's hash with every stored hash using
   * `timingSafeEqual` and without stopping at a match, so timing reveals neither a hash nor which entry matched.
   */
  authenticate(token: string): Principal | undefined {
    const presented = createHash("sha256").update(token, "utf8").digest();
    let found: Principal | undefined;
    for (const { hash, principal } of this.#principals) {
      if (timingSafeEqual(presented, hash) && !found) found = principal;
    }
    return found;
  }
}

/** Where a rule finds the tenant and database of a request. */
export type Scope =
  /** No tenant: the whole server (tenant creation, reset). Needs `*` tenants and databases. */
  | "server"
  /** `{tenant}` or `{tenant_name}` in the path. */
  | "tenant"
  /** `{tenant}` and `{database}` in the path. */
  | "database"
  /** `{tenant}` in the path, the new database's `name` in the body. */
  | "new-database"
  /** `tenant:database:collection` in `{crn}`. */
  | "crn";

/** How a route is guarded. */
export type AccessRule =
  /** Open to anyone, token or not. */
  | { access: "public" }
  /** Any valid token. */
  | { access: "token" }
  /** A valid token of at least `role` that sees the scope's tenant and database. */
  | { access: "role"; role: Role; scope: Scope };

const pub: AccessRule = { access: "public" };
const rule = (role: Role, scope: Scope): AccessRule => ({ access: "role", role, scope });

/**
 * The access rule of every route, by operationId. A route without a rule makes `createApp` throw (and a test
 * fail), so a new route cannot ship unguarded.
 */
export const ACCESS: Readonly<Record<string, AccessRule>> = {
  heartbeat: pub,
  heartbeat_root: pub,
  version: pub,
  healthcheck: pub,
  pre_flight_checks: pub,
  openapi: pub,
  get_user_identity: { access: "token" },
  reset: rule("admin", "server"),
  create_tenant: rule("admin", "server"),
  get_tenant: rule("reader", "tenant"),
  update_tenant: rule("admin", "tenant"),
  list_databases: rule("reader", "tenant"),
  create_database: rule("admin", "new-database"),
  get_database: rule("reader", "database"),
  delete_database: rule("admin", "database"),
  list_collections: rule("reader", "database"),
  count_collections: rule("reader", "database"),
  get_collection: rule("reader", "database"),
  get_collection_by_id: rule("reader", "database"),
  get_collection_by_crn: rule("reader", "crn"),
  fork_count: rule("reader", "database"),
  create_collection: rule("writer", "database"),
  update_collection: rule("writer", "database"),
  delete_collection: rule("writer", "database"),
  fork_collection: rule("writer", "database"),
  collection_get: rule("reader", "database"),
  collection_query: rule("reader", "database"),
  collection_search: rule("reader", "database"),
  collection_count: rule("reader", "database"),
  indexing_status: rule("reader", "database"),
  collection_add: rule("writer", "database"),
  collection_upsert: rule("writer", "database"),
  collection_update: rule("writer", "database"),
  collection_delete: rule("writer", "database"),
  // Metrics name every tenant's collections: a server-wide admin token (a Prometheus scrape config can send one
  // as `authorization: { credentials: … }`), or list "metrics" in `publicRoutes` to open it.
  metrics: rule("admin", "server"),
};

/** The rule of a route. @throws Error when the route has none (a programming error, caught by tests). */
export function accessRuleOf(route: RouteDef): AccessRule {
  const found = ACCESS[route.operationId];
  if (!found)
    throw new Error(
      `Route ${route.method.toUpperCase()} ${route.path} (${route.operationId}) has no access rule in ACCESS`,
    );
  return found;
}

/** The token of a request: `Authorization: Bearer …` (what HttpClient sends) or Chroma's `X-Chroma-Token`. */
export function presentedToken(c: Context): string | undefined {
  const authorization = c.req.header("authorization");
  if (authorization !== undefined) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (match) return match[1];
  }
  const chroma = c.req.header("x-chroma-token")?.trim();
  return chroma ? chroma : undefined;
}

function hiddenTenant(tenant: string): RequestError {
  return new RequestError(404, "TENANT_NOT_FOUND", `Tenant '${tenant}' does not exist.`);
}

function hiddenDatabase(tenant: string, database: string): RequestError {
  return new RequestError(
    404,
    "DATABASE_NOT_FOUND",
    `Database '${database}' of tenant '${tenant}' does not exist. Create it first.`,
  );
}

async function newDatabaseName(c: Context): Promise<string | undefined> {
  try {
    const name = (JSON.parse(await c.req.text()) as { name?: unknown })?.name;
    return typeof name === "string" ? name : undefined;
  } catch {
    return undefined; // the handler answers the malformed body
  }
}

/**
 * Checks that the principal sees the tenant and database a request names and that they exist; throws the 404
 * a missing one gets, so a hidden tenant or database answers exactly as a missing one (some routes, such as
 * `list_collections`, would otherwise answer an empty list for a missing database). Returns what a
 * `new-database` request lacks, if anything.
 */
async function checkVisible(
  c: Context,
  p: Principal,
  scope: Scope,
  client: CairnClient | undefined,
): Promise<string | undefined> {
  const params = c.req.param() as Record<string, string>;
  if (scope === "server") return;
  let tenant = params.tenant ?? params.tenant_name;
  let database = params.database;
  if (scope === "crn") {
    const parts = (params.crn ?? "").split(":");
    if (parts.length !== 3) return; // malformed: the handler answers 400, nothing is looked up
    [tenant, database] = parts as [string, string, string];
  }
  if (tenant === undefined) return;
  if (!p.seesTenant(tenant)) throw hiddenTenant(tenant);
  if (scope === "new-database") {
    const name = await newDatabaseName(c);
    if (name === undefined ? !p.entry.databases.includes("*") : !p.seesDatabase(name))
      return `database ${JSON.stringify(name ?? "")}`;
    return;
  }
  if (database !== undefined && !p.seesDatabase(database)) throw hiddenDatabase(tenant, database);
  if (client) {
    await client.getTenant({ name: tenant });
    if (database !== undefined) await client.getDatabase({ tenant, name: database });
  }
}

function describe(route: RouteDef, c: Context): string {
  const params = c.req.param() as Record<string, string>;
  const where = params.tenant ?? params.tenant_name;
  const at = where ? ` in tenant '${where}'${params.database ? `, database '${params.database}'` : ""}` : "";
  return `${route.operationId} (${route.method.toUpperCase()} ${route.path})${at}`;
}

/** What the auth middleware needs: the current tokens. */
export interface AuthOptions {
  /** The accepted tokens (the server swaps them on reload). */
  store: TokenStore;
  /**
   * Extra operationIds answered without a token, beyond the `public` rules of `ACCESS` (e.g. a metrics route a
   * deployment wants open).
   */
  publicRoutes?: readonly string[];
}

/**
 * The per-route guard: 401 `UNAUTHENTICATED` without a known token, 404 for a tenant or database outside the
 * token's scope, 403 `FORBIDDEN` for a role below the route's. Also answers `/api/v2/auth/identity` from the
 * token and filters `list_databases` to the token's databases. With `client`, a tenant or database is looked
 * up before the route runs, so a missing one answers as a hidden one.
 */
export function authGuard(route: RouteDef, options: AuthOptions, client?: CairnClient): MiddlewareHandler {
  const access = accessRuleOf(route);
  const open = access.access === "public" || options.publicRoutes?.includes(route.operationId);
  return async (c, next) => {
    if (open) return next();
    const token = presentedToken(c);
    if (token === undefined)
      throw new RequestError(
        401,
        "UNAUTHENTICATED",
        `${route.method.toUpperCase()} ${route.path} needs an API token: send \`Authorization: Bearer <token>\` (HttpClient's \`token\` option) or \`X-Chroma-Token: <token>\`; create one with \`cairn tokens create\`.`,
      );
    const principal = options.store.authenticate(token);
    if (!principal)
      throw new RequestError(
        401,
        "UNAUTHENTICATED",
        "The API token is not known to this server (mistyped, revoked, or from another server's auth file); check the token or create one with `cairn tokens create`.",
      );
    if (route.operationId === "get_user_identity") {
      const { entry } = principal;
      const tenant = entry.tenants.find((t) => !t.includes("*")) ?? "default_tenant";
      return c.json({ user_id: entry.name, tenant, databases: entry.databases });
    }
    if (access.access === "token") return next();
    const lacking = await checkVisible(c, principal, access.scope, client);
    const scopeTooSmall =
      lacking !== undefined || (access.scope === "server" && !principal.global && access.role === "admin");
    if (principal.rank < ROLES.indexOf(access.role) || scopeTooSmall) {
      const needs =
        access.scope === "server" ? `an ${access.role} token for every tenant ("*")` : `role ${access.role}`;
      throw new RequestError(
        403,
        "FORBIDDEN",
        `Token '${principal.entry.name}' (role ${principal.entry.role}) may not ${describe(route, c)}${lacking ? ` for ${lacking}` : ""}: it needs ${needs}${lacking ? " covering that database" : ""}. Use a token with that right (\`cairn tokens create --role ${access.role}\`).`,
      );
    }
    // Lists show only what the token sees; the route filters before it pages (see `RouteInput.seesDatabase`).
    if (!principal.entry.databases.includes("*"))
      c.set(SEES_DATABASE, (name: string) => principal.seesDatabase(name));
    await next();
  };
}

/** The request variable holding the token's database visibility (set by {@link authGuard}). */
export const SEES_DATABASE = "cairnSeesDatabase";

/** A file watch that reloads the token store. */
export interface AuthFileWatch {
  /** Re-reads the file now; on a bad file keeps the current tokens and rethrows. */
  reload(): void;
  /** Stops watching. */
  close(): void;
}

/**
 * Watches an auth file (its folder, so editors that replace the file by rename are seen) and reloads `store`
 * 100 ms after the last change. A file that fails to parse is logged and the previous tokens stay in force.
 */
export function watchAuthFile(
  path: string,
  store: TokenStore,
  logger: Logger,
  debounceMs = 100,
): AuthFileWatch {
  const reload = () => {
    const config = readAuthFile(path);
    store.replace(config);
    logger.info(`auth: loaded ${config.tokens.length} token(s) from ${path}`);
  };
  let timer: NodeJS.Timeout | undefined;
  const name = basename(path);
  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(dirname(path), { persistent: false }, (_event, file) => {
      if (file !== null && file !== name) return;
      clearTimeout(timer);
      timer = setTimeout(() => {
        try {
          reload();
        } catch (error) {
          logger.warn(`auth: kept the previous tokens; ${(error as Error).message}`);
        }
      }, debounceMs);
    });
  } catch (error) {
    logger.warn(`auth: cannot watch ${path} for changes (${(error as Error).message}); restart to reload it`);
  }
  return {
    reload,
    close() {
      clearTimeout(timer);
      watcher?.close();
    },
  };
}
