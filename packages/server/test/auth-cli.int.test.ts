/**
 * `cairn run --auth` as a process: the banner, tokens created and revoked with `cairn tokens` while it runs
 * (picked up by the file watch), `CAIRN_AUTH_FILE`, and SIGHUP still stopping the server (it is no reload signal).
 */
import { join } from "node:path";
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { runCli } from "../src/commands/program";
import { type CairnProcess, spawnCairn, tempDir } from "./helpers";

let data: ReturnType<typeof tempDir>;
let file: string;

async function cli(...argv: string[]): Promise<{ code: number; out: string }> {
  let out = "";
  const stdout = new Writable({
    write(chunk, _e, done) {
      out += String(chunk);
      done();
    },
  });
  const stderr = new Writable({ write: (_c, _e, done) => done() });
  const code = await runCli(argv, { stdout, stderr });
  return { code, out };
}

const status = (cairn: CairnProcess, headers: Record<string, string> = {}) =>
  fetch(`${cairn.url}/api/v2/tenants/default_tenant/databases/default_database/collections`, {
    headers,
  }).then((r) => r.status);

beforeAll(() => {
  data = tempDir("cairn-auth-cli-");
  file = join(data.dir, "cairn-auth.yaml");
});
afterAll(() => data.remove());

describe("cairn run --auth", () => {
  it("serves tokens from the file, follows cairn tokens revoke, and stops on SIGHUP", async () => {
    const created = await cli(
      ...["tokens", "create", "--auth", file, "--name", "app", "--role", "writer"],
      ...["--tenant", "default_tenant", "--database", "default_database"],
    );
    expect(created.code).toBe(0);
    const token = created.out.trim();
    const cairn = await spawnCairn(join(data.dir, "db"), ["--auth", file, "--log-level", "warn"]);
    try {
      // The banner's lines may reach stderr after the "listening on" line that spawnCairn waits for.
      await vi.waitFor(() => expect(cairn.stderr()).toContain(`Auth: tokens from ${file}`));
      expect(cairn.stderr()).not.toContain("Warning: no --auth");
      expect(await status(cairn)).toBe(401);
      expect(await status(cairn, { "x-chroma-token": token })).toBe(200);
      expect(await status(cairn, { authorization: `Bearer ${token}` })).toBe(200);

      expect((await cli("tokens", "revoke", "--auth", file, "--name", "app")).code).toBe(0);
      // The running server reloads the file by itself; poll until it has (the test timeout bounds the wait).
      while ((await status(cairn, { authorization: `Bearer ${token}` })) !== 401)
        await new Promise((r) => setTimeout(r, 25));
      expect(cairn.stderr()).not.toContain(token);
    } finally {
      expect(await cairn.stop("SIGHUP")).toBe(0);
    }
  });

  it("reads CAIRN_AUTH_FILE, and warns when there is no auth file", async () => {
    const previous = process.env.CAIRN_AUTH_FILE;
    process.env.CAIRN_AUTH_FILE = file;
    let guarded: CairnProcess;
    try {
      guarded = await spawnCairn(join(data.dir, "db2"), ["--log-level", "warn"]);
    } finally {
      if (previous === undefined) delete process.env.CAIRN_AUTH_FILE;
      else process.env.CAIRN_AUTH_FILE = previous;
    }
    try {
      expect(await status(guarded)).toBe(401);
    } finally {
      await guarded.stop();
    }
    const open = await spawnCairn(join(data.dir, "db3"), ["--log-level", "warn"]);
    try {
      await vi.waitFor(() => expect(open.stderr()).toContain("Warning: no --auth file (or CAIRN_AUTH_FILE)"));
      expect(await status(open)).toBe(200);
    } finally {
      await open.stop();
    }
  });
});
