/**
 * The auth file (parsing, hashing, patterns), the constant-time token check, reloading (file watch and
 * `reloadAuth`) and `cairn tokens create | list | revoke`.
 */
import * as crypto from "node:crypto";
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { runCli } from "../src/commands/program";
import {
  generateToken,
  hashToken,
  parseAuthConfig,
  type RunningServer,
  startServer,
  TOKEN_PREFIX,
  TokenStore,
} from "../src";
import { sink, tempDir } from "./helpers";

vi.mock("node:crypto", async (importOriginal) => {
  const actual = await importOriginal<typeof import("node:crypto")>();
  return { ...actual, timingSafeEqual: vi.fn(actual.timingSafeEqual) };
});

const entry = (
  name: string,
  token: string,
  extra: string = "role: reader, tenants: [acme], databases: [support]",
) => `  - { name: ${name}, ${extra}, sha256: ${hashToken(token)} }\n`;

const HEX = "a".repeat(64);

describe("auth file", () => {
  it("accepts YAML and JSON and stores only hashes", () => {
    const token = generateToken();
    expect(token.startsWith(TOKEN_PREFIX)).toBe(true);
    expect(token.length).toBeGreaterThan(40);
    const yaml = parseAuthConfig(`tokens:\n${entry("a", token)}`);
    const json = parseAuthConfig(
      JSON.stringify({
        tokens: [
          { name: "a", role: "reader", tenants: ["acme"], databases: ["support"], sha256: hashToken(token) },
        ],
      }),
    );
    expect(yaml).toEqual(json);
    expect(JSON.stringify(yaml)).not.toContain(token);
    expect(parseAuthConfig("")).toEqual({ tokens: [] });
  });

  it.each([
    ["tokens: [1]", /tokens\[0\]: expected an object/],
    [
      `tokens:\n  - { name: a, role: boss, tenants: [x], databases: [y], sha256: ${HEX} }`,
      /role: expected reader, writer or admin, got "boss"/,
    ],
    [
      `tokens:\n  - { name: a, role: reader, tenants: [], databases: [y], sha256: ${HEX} }`,
      /tenants: expected a non-empty list/,
    ],
    [
      "tokens:\n  - { name: a, role: reader, tenants: [x], databases: [y], sha256: abc }",
      /sha256: expected the token's SHA-256/,
    ],
    [
      `tokens:\n  - { name: a, role: reader, tenants: [x], databases: [y], token: t, sha256: ${HEX} }`,
      /token: unknown key/,
    ],
    ["users: []", /users: unknown key/],
    ["tokens: [", /not valid YAML or JSON/],
    [
      "tokens:\n  - { name: a, role: reader, tenants: [x], databases: [y], sha256: 1234 }",
      /read as a number by YAML; put the hash in quotes/,
    ],
  ])("rejects %j", (text, message) => {
    expect(() => parseAuthConfig(text, "auth.yaml")).toThrow(message);
  });

  it("rejects duplicate names", () => {
    const t = generateToken();
    expect(() => parseAuthConfig(`tokens:\n${entry("a", t)}${entry("a", generateToken())}`)).toThrow(
      /duplicate token name "a"/,
    );
  });
});

describe("TokenStore", () => {
  it("compares with timingSafeEqual against every stored hash, match or not", () => {
    const tokens = [generateToken(), generateToken(), generateToken()];
    const store = new TokenStore(
      parseAuthConfig(`tokens:\n${tokens.map((t, i) => entry(`t${i}`, t)).join("")}`),
    );
    const spy = vi.mocked(crypto.timingSafeEqual);
    spy.mockClear();
    expect(store.authenticate(tokens[0]!)?.entry.name).toBe("t0");
    expect(spy).toHaveBeenCalledTimes(3); // no early exit on the first match
    spy.mockClear();
    expect(store.authenticate("cairn_unknown")).toBeUndefined();
    expect(spy).toHaveBeenCalledTimes(3);
  });

  it("matches tenant and database patterns", () => {
    const t = generateToken();
    const store = new TokenStore(
      parseAuthConfig(`tokens:\n${entry("p", t, 'role: writer, tenants: ["team-*"], databases: ["*"]')}`),
    );
    const p = store.authenticate(t)!;
    expect(p.seesTenant("team-a")).toBe(true);
    expect(p.seesTenant("team")).toBe(false);
    expect(p.seesTenant("xteam-a")).toBe(false);
    expect(p.seesDatabase("anything")).toBe(true);
    expect(p.global).toBe(false);
  });
});

describe("reloading", () => {
  let server: RunningServer | undefined;
  const dirs: ReturnType<typeof tempDir>[] = [];
  afterEach(async () => {
    await server?.close();
    server = undefined;
    for (const d of dirs.splice(0)) d.remove();
  });

  const identity = (token: string) =>
    fetch(`${server!.url}/api/v2/auth/identity`, { headers: { authorization: `Bearer ${token}` } }).then(
      (r) => r.status,
    );

  it("picks up a changed file by itself, and at once with reloadAuth()", async () => {
    const d = tempDir("cairn-auth-reload-");
    dirs.push(d);
    const file = join(d.dir, "auth.yaml");
    const [first, second] = [generateToken(), generateToken()];
    writeFileSync(file, `tokens:\n${entry("first", first)}`);
    server = await startServer({ path: join(d.dir, "db"), port: 0, authFile: file, logLevel: "silent" });
    expect(await identity(first)).toBe(200);
    expect(await identity(second)).toBe(401);

    writeFileSync(file, `tokens:\n${entry("second", second)}`);
    // The watcher reloads after a short debounce: poll until it has (the test's timeout bounds the wait).
    while ((await identity(second)) !== 200) await new Promise((r) => setTimeout(r, 20));
    expect(await identity(first)).toBe(401);

    // A broken file keeps the current tokens; reloadAuth() says why.
    writeFileSync(file, "tokens: [");
    expect(() => server!.reloadAuth()).toThrow(/not valid YAML or JSON/);
    expect(await identity(second)).toBe(200);

    writeFileSync(file, `tokens:\n${entry("first", first)}`);
    server.reloadAuth();
    expect(await identity(first)).toBe(200);
    expect(await identity(second)).toBe(401);
  });

  it("refuses to start with a bad auth file", async () => {
    const d = tempDir("cairn-auth-bad-");
    dirs.push(d);
    const file = join(d.dir, "auth.yaml");
    writeFileSync(file, "tokens: 3");
    await expect(startServer({ path: join(d.dir, "db"), port: 0, authFile: file })).rejects.toThrow(
      /tokens: expected a list/,
    );
    await expect(
      startServer({ path: join(d.dir, "db"), port: 0, authFile: join(d.dir, "missing.yaml") }),
    ).rejects.toThrow(/cannot read the auth file \(ENOENT\)/);
  });
});

describe("cairn tokens", () => {
  it("creates (printing the token once), lists and revokes", async () => {
    const d = tempDir("cairn-tokens-");
    try {
      const file = join(d.dir, "auth.yaml");
      const run = async (...argv: string[]) => {
        const out = sink();
        const err = sink();
        const code = await runCli(argv, { stdout: out.stream, stderr: err.stream });
        return { code, out: out.text(), err: err.text() };
      };
      const created = await run(
        "tokens",
        "create",
        "--auth",
        file,
        "--name",
        "ci-reader",
        "--role",
        "reader",
        "--tenant",
        "acme",
        "--database",
        "support",
        "--database",
        "faq",
      );
      expect(created.code).toBe(0);
      const token = created.out.trim();
      expect(token).toMatch(/^cairn_[A-Za-z0-9_-]{43}$/);
      expect(created.err).toContain("cannot be shown again");
      const text = readFileSync(file, "utf8");
      expect(text).not.toContain(token);
      expect(text).toContain(hashToken(token));
      expect(statSync(file).mode & 0o077).toBe(0);
      const store = new TokenStore(parseAuthConfig(text));
      expect(store.authenticate(token)?.entry).toMatchObject({
        name: "ci-reader",
        role: "reader",
        tenants: ["acme"],
        databases: ["support", "faq"],
      });

      const again = await run(
        "tokens",
        "create",
        "--auth",
        file,
        "--name",
        "ci-reader",
        "--role",
        "admin",
        "--tenant",
        "*",
        "--database",
        "*",
      );
      expect(again.code).toBe(1);
      expect(again.err).toMatch(/exists already/);
      const badRole = await run(
        "tokens",
        "create",
        "--auth",
        file,
        "--name",
        "x",
        "--role",
        "boss",
        "--tenant",
        "a",
        "--database",
        "b",
      );
      expect(badRole.code).toBe(2);

      expect(
        (
          await run(
            "tokens",
            "create",
            "--auth",
            file,
            "--name",
            "ops",
            "--role",
            "admin",
            "--tenant",
            "*",
            "--database",
            "*",
          )
        ).code,
      ).toBe(0);
      const listed = await run("tokens", "list", "--auth", file);
      expect(listed.out).toMatch(/ci-reader\s+reader\s+acme\s+support,faq/);
      expect(listed.out).toMatch(/ops\s+admin\s+\*\s+\*/);
      expect(listed.out).not.toContain(hashToken(token));

      expect((await run("tokens", "revoke", "--auth", file, "--name", "ci-reader")).code).toBe(0);
      expect(new TokenStore(parseAuthConfig(readFileSync(file, "utf8"))).authenticate(token)).toBeUndefined();
      const missing = await run("tokens", "revoke", "--auth", file, "--name", "ci-reader");
      expect(missing.code).toBe(1);
      expect(missing.err).toMatch(/No token named "ci-reader".*\(NOT_FOUND\)/);
    } finally {
      d.remove();
    }
  });
});
