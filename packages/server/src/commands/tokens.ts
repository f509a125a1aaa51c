/**
 * `cairn tokens create | list | revoke`: manage the API tokens of an auth file. The file keeps only each
 * token's SHA-256; `create` prints the token once. Writes go to a temporary file renamed over the old one, so a
 * running server (which watches the file) never reads half a file.
 */
import { renameSync, writeFileSync } from "node:fs";
import { NotFoundError, invalidArgument } from "@cairndb/core";
import { stringify } from "yaml";
import { type AuthConfig, generateToken, hashToken, type Role, ROLES, readAuthFile } from "../auth";

/** Flags of `cairn tokens create`. */
export interface TokensCreateFlags {
  auth: string;
  name: string;
  role: string;
  tenant: string[];
  database: string[];
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,127}$/;

function writeAuthFile(path: string, config: AuthConfig): void {
  const header =
    "# Cairn API tokens (SHA-256 hashes only). Manage with `cairn tokens create | list | revoke`;\n" +
    "# a running `cairn run --auth` reloads this file when it changes.\n";
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, header + stringify(config), { mode: 0o600 });
  renameSync(temp, path);
}

/**
 * Creates a token, appends its hash to the auth file (creating the file) and writes the token to `stdout`.
 * @throws InvalidArgumentError code `INVALID_ARGUMENT` for a bad name, role or scope, or a name already used
 */
export function tokensCreateCommand(
  flags: TokensCreateFlags,
  stdout: NodeJS.WritableStream,
  stderr: NodeJS.WritableStream,
): number {
  if (!NAME.test(flags.name))
    throw invalidArgument(
      "--name",
      `expected 1-128 letters, digits, ".", "_", "@" or "-" starting with a letter or digit, got ${JSON.stringify(flags.name)}`,
    );
  if (!ROLES.includes(flags.role as Role))
    throw invalidArgument("--role", `expected reader, writer or admin, got ${JSON.stringify(flags.role)}`);
  for (const [flag, list] of [
    ["--tenant", flags.tenant],
    ["--database", flags.database],
  ] as const) {
    if (list.length === 0 || list.some((v) => v.length === 0))
      throw invalidArgument(flag, 'expected a name or pattern ("*" for all); repeat the flag for several');
  }
  const config = readAuthFile(flags.auth, true);
  if (config.tokens.some((t) => t.name === flags.name))
    throw invalidArgument(
      "--name",
      `a token named ${JSON.stringify(flags.name)} exists already in ${flags.auth}; pick another name or revoke it first (cairn tokens revoke --name ${flags.name})`,
    );
  const token = generateToken();
  config.tokens.push({
    name: flags.name,
    role: flags.role as Role,
    tenants: flags.tenant,
    databases: flags.database,
    sha256: hashToken(token),
    created: new Date().toISOString(),
  });
  writeAuthFile(flags.auth, config);
  stdout.write(`${token}\n`);
  stderr.write(
    `Created token "${flags.name}" (${flags.role}; tenants ${flags.tenant.join(", ")}; databases ${flags.database.join(", ")}) in ${flags.auth}.\nStore it now: it is not saved anywhere and cannot be shown again.\n`,
  );
  return 0;
}

/** Lists the tokens of an auth file (names, roles and scopes; never hashes). */
export function tokensListCommand(flags: { auth: string }, stdout: NodeJS.WritableStream): number {
  const { tokens } = readAuthFile(flags.auth);
  const rows = [
    ["NAME", "ROLE", "TENANTS", "DATABASES", "CREATED"],
    ...tokens.map((t) => [t.name, t.role, t.tenants.join(","), t.databases.join(","), t.created ?? "-"]),
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const row of rows)
    stdout.write(
      `${row
        .map((cell, i) => cell.padEnd(widths[i]!))
        .join("  ")
        .trimEnd()}\n`,
    );
  return 0;
}

/**
 * Removes a token from the auth file; a running server stops accepting it once it reloads the file.
 * @throws NotFoundError code `NOT_FOUND` when no token has that name
 */
export function tokensRevokeCommand(
  flags: { auth: string; name: string },
  stderr: NodeJS.WritableStream,
): number {
  const config = readAuthFile(flags.auth);
  const kept = config.tokens.filter((t) => t.name !== flags.name);
  if (kept.length === config.tokens.length)
    throw new NotFoundError(
      "NOT_FOUND",
      `No token named ${JSON.stringify(flags.name)} in ${flags.auth}; see the names with: cairn tokens list --auth ${flags.auth}`,
    );
  writeAuthFile(flags.auth, { tokens: kept });
  stderr.write(`Revoked token "${flags.name}" in ${flags.auth}.\n`);
  return 0;
}
