/**
 * Stopping `cairn run`: SIGINT, SIGTERM and SIGHUP close the HTTP server and the database and exit 0 (the port
 * is free and the database opens again right after); a second, different signal exits at once; and the same
 * holds when the server runs through `npx @cairndb/server`, which forwards the terminal's Ctrl-C to a child that
 * already got it through its process group.
 */
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { createServer } from "node:net";
import { join } from "node:path";
import { HttpClient, PersistentClient } from "@cairndb/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CairnProcess, ensureBuilt, SERVER_DIR, spawnCairn, spawnServing, tempDir } from "./helpers";

const dirs: ReturnType<typeof tempDir>[] = [];
const running: CairnProcess[] = [];
const fresh = (prefix: string) => dirs[dirs.push(tempDir(prefix)) - 1]!.dir;

beforeAll(() => ensureBuilt());
afterAll(async () => {
  await Promise.all(running.map((p) => p.stop("SIGKILL")));
  for (const d of dirs) d.remove();
});

/** Resolves once a listener could bind the port (i.e. the stopped server released it). */
function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once("error", () => resolve(false));
    probe.listen(port, "127.0.0.1", () => probe.close(() => resolve(true)));
  });
}

async function writeOne(url: string): Promise<void> {
  const client = new HttpClient({ path: url });
  const col = await client.getOrCreateCollection({ name: "kept", embeddingFunction: null });
  await col.add({ ids: [`id-${Date.now()}-${Math.random()}`], embeddings: [[1, 2]] });
  await client.close();
}

async function countAfterReopen(path: string): Promise<number> {
  const client = new PersistentClient({ path });
  const n = await (await client.getCollection({ name: "kept" })).count();
  await client.close();
  return n;
}

/** Resolves once `text()` contains `needle` (checked whenever the process writes to stderr). */
function stderrContains(proc: CairnProcess, needle: string): Promise<void> {
  return new Promise((resolve) => {
    const check = () => {
      if (proc.stderr().includes(needle)) {
        proc.proc.stderr!.off("data", check);
        resolve();
      }
    };
    proc.proc.stderr!.on("data", check);
    check();
  });
}

describe("stop signals", () => {
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    it(`${signal}: exit 0, port released, database reopens with the data`, async () => {
      const path = fresh("cairn-signal-");
      const server = await spawnCairn(path);
      running.push(server);
      await writeOne(server.url);
      expect(await server.stop(signal)).toBe(0);
      expect(server.stderr()).toContain(`${signal}: finishing in-flight requests`);
      expect(server.stderr()).toContain("Stopped.");
      expect(await canBind(server.port)).toBe(true);
      expect(await countAfterReopen(path)).toBe(1);
    });
  }

  it("a second, different signal exits at once (code 1) while a request is still in flight", async () => {
    const server = await spawnCairn(fresh("cairn-signal-twice-"));
    running.push(server);
    // Headers sent, body never finished: this request keeps the graceful shutdown waiting.
    const target = new URL("/api/v2/heartbeat", server.url);
    const held = request({
      host: target.hostname,
      port: target.port,
      path: "/api/v2/tenants",
      method: "POST",
      headers: { "content-type": "application/json", "content-length": 100 },
    });
    held.on("error", () => {});
    held.write("{");
    await new Promise((r) => setTimeout(r, 100)); // let the request reach the server (not an assertion)
    server.proc.kill("SIGINT");
    await stderrContains(server, "SIGINT: finishing");
    expect(await server.stop("SIGTERM")).toBe(1);
    expect(server.stderr()).toContain("SIGTERM again: exiting without waiting for in-flight requests");
    expect(server.stderr()).not.toContain("Stopped.");
    held.destroy();
  });
});

describe("through npx", () => {
  /** A scratch project where @cairndb/server is installed the way npm lays it out (package + .bin link). */
  function scratchProject(): string {
    const root = fresh("cairn-npx-");
    writeFileSync(
      join(root, "package.json"),
      JSON.stringify({ name: "scratch", private: true, dependencies: { "@cairndb/server": "*" } }),
    );
    mkdirSync(join(root, "node_modules/@cairndb"), { recursive: true });
    mkdirSync(join(root, "node_modules/.bin"));
    symlinkSync(SERVER_DIR, join(root, "node_modules/@cairndb/server"), "dir");
    symlinkSync("../@cairndb/server/dist/cli.js", join(root, "node_modules/.bin/cairn"));
    return root;
  }

  it("`npx @cairndb/server run …` serves, and Ctrl-C (SIGINT to the process group) stops it cleanly", async () => {
    const project = scratchProject();
    const path = join(project, "cairn_db");
    const npx = await spawnServing(
      "npx",
      ["--offline", "@cairndb/server", "run", "--path", path, "--port", "0"],
      { cwd: project, detached: true },
    );
    running.push(npx);
    await writeOne(npx.url);
    const exited = new Promise<[number | null, NodeJS.Signals | null]>((r) =>
      npx.proc.once("exit", (code, signal) => r([code, signal])),
    );
    // The pipe closes once every process holding it (npm, its shell, the server) has exited.
    const drained = new Promise<void>((r) => npx.proc.stderr!.once("close", () => r()));
    npx.signalGroup("SIGINT");
    const [code, signal] = await exited;
    await drained;
    // npm exits 0 when its child does, or re-raises the signal when the shell it runs the bin in died of it
    // (as a terminal's Ctrl-C does to every process of the group); either way the server shut down cleanly.
    expect(code === 0 || signal === "SIGINT", `exit ${code} ${signal}`).toBe(true);
    expect(npx.stderr()).toContain("SIGINT: finishing in-flight requests");
    expect(npx.stderr()).toContain("Stopped.");
    // The forwarded copy of Ctrl-C did not count as a second signal.
    expect(npx.stderr()).not.toContain("again: exiting");
    expect(() => process.kill(-npx.proc.pid!, 0)).toThrow(/ESRCH/); // nothing of the group is left
    expect(await canBind(npx.port)).toBe(true);
    expect(await countAfterReopen(path)).toBe(1);
  });
});
