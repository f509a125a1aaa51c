/**
 * Test helpers: temp dirs, free ports, the built CLI (`cairn run` as a child process) and the real Chroma 1.0
 * server (the `chromadb` package's native CLI) for differential tests. Everything listens on 127.0.0.1.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { fileURLToPath } from "node:url";

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
/** The server package directory. */
export const SERVER_DIR = here("..");
/** The built CLI. */
export const CLI = here("../dist/cli.js");
const CORE_DIR = here("../../core");
// Core imports it for the default embedding function (`cairn models pull` verifies with it).
const DEFAULT_EMBED_DIR = here("../../default-embed");
const CHROMA_CLI = here("../node_modules/chromadb/dist/cli.mjs");

/** A fresh temp directory and its removal. */
export function tempDir(prefix: string): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A port that was free a moment ago (for servers that cannot bind port 0 and report it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Builds core's and the server's dist when missing (CI builds them in setup). A directory lock keeps parallel
 * test files from building at the same time.
 */
export async function ensureBuilt(): Promise<void> {
  const ready = () =>
    existsSync(CLI) &&
    existsSync(join(CORE_DIR, "dist/index.js")) &&
    existsSync(join(DEFAULT_EMBED_DIR, "dist/index.js"));
  if (ready()) return;
  const lock = join(tmpdir(), "cairn-server-build.lock");
  try {
    mkdirSync(lock);
  } catch {
    for (let i = 0; i < 600 && !ready(); i++) await sleep(500);
    if (!ready()) throw new Error(`dist not built after waiting; build with: npm run build`);
    return;
  }
  try {
    for (const dir of [DEFAULT_EMBED_DIR, CORE_DIR, SERVER_DIR]) {
      if (dir !== SERVER_DIR && existsSync(join(dir, "dist/index.js"))) continue;
      const r = spawnSync("npx", ["--no-install", "tsup"], { cwd: dir, stdio: "pipe", encoding: "utf8" });
      if (r.status !== 0) throw new Error(`tsup failed in ${dir}:\n${r.stderr}`);
    }
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** A spawned `cairn run` process. */
export interface CairnProcess {
  url: string;
  port: number;
  proc: ChildProcess;
  /** Everything written to stderr so far. */
  stderr(): string;
  /** Sends a signal (unless it has exited already) and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  /** Resolves with the exit code once the process exits (without signalling it). */
  exited: Promise<number | null>;
}

/** Spawns `node dist/cli.js run --path <path> --port 0 …` (unless `extra` sets `--port`) and waits for its banner. */
export async function spawnCairn(path: string, extra: string[] = []): Promise<CairnProcess> {
  const port = extra.includes("--port") ? [] : ["--port", "0"];
  return spawnServing(process.execPath, [
    CLI,
    "run",
    "--path",
    path,
    "--host",
    "127.0.0.1",
    ...port,
    ...extra,
  ]);
}

/**
 * Spawns any command that ends up running `cairn run` (e.g. through `npx`) and waits for the banner.
 * `detached` puts it in its own process group, as a terminal would; `signalGroup` then signals the whole group.
 */
export async function spawnServing(
  command: string,
  args: string[],
  options: { cwd?: string; detached?: boolean } = {},
): Promise<CairnProcess & { signalGroup(signal: NodeJS.Signals): void }> {
  await ensureBuilt();
  const proc = spawn(command, args, {
    cwd: options.cwd,
    detached: options.detached === true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let err = "";
  proc.stderr!.setEncoding("utf8").on("data", (chunk: string) => {
    err += chunk;
  });
  proc.stdout!.resume();
  const exited = new Promise<number | null>((resolve) => proc.once("exit", (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`cairn run did not start:\n${err}`)), 20_000);
    const check = () => {
      const match = /listening on (http:\/\/[^\s"]+)/.exec(err);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    proc.stderr!.on("data", check);
    proc.once("exit", () => {
      clearTimeout(timer);
      reject(new Error(`cairn run exited early:\n${err}`));
    });
  });
  return {
    url,
    port: Number(new URL(url).port),
    proc,
    stderr: () => err,
    exited,
    stop: async (signal = "SIGTERM") => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      return exited;
    },
    signalGroup: (signal) => process.kill(-proc.pid!, signal),
  };
}

/** A running real Chroma 1.0.0 server (the differential oracle). */
export interface ChromaProcess {
  url: string;
  port: number;
  stop(): Promise<void>;
}

/** Starts the real Chroma server from the `chromadb` package and polls its heartbeat until it answers. */
export async function spawnChroma(path: string): Promise<ChromaProcess> {
  const port = await freePort();
  const proc = spawn(
    process.execPath,
    [CHROMA_CLI, "run", "--path", path, "--host", "127.0.0.1", "--port", String(port)],
    {
      stdio: ["ignore", "ignore", "pipe"],
    },
  );
  let err = "";
  proc.stderr!.setEncoding("utf8").on("data", (chunk: string) => {
    err += chunk;
  });
  const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 120; i++) {
    if (proc.exitCode !== null) throw new Error(`chroma exited early:\n${err}`);
    try {
      const res = await fetch(`${url}/api/v2/heartbeat`);
      if (res.ok) {
        return {
          url,
          port,
          stop: async () => {
            if (proc.exitCode === null) proc.kill("SIGTERM");
            await exited;
          },
        };
      }
    } catch {
      // not up yet
    }
    await sleep(250);
  }
  proc.kill("SIGKILL");
  throw new Error(`chroma did not answer its heartbeat within 30 s:\n${err}`);
}

/** A writable stream that keeps what is written (a captured stderr or log). */
export function sink(): { stream: Writable; text: () => string } {
  let text = "";
  const stream = new Writable({
    write(chunk, _enc, done) {
      text += String(chunk);
      done();
    },
  });
  return { stream, text: () => text };
}

/**
 * `cairn run` processes for one test file: `start(extra, dir?)` spawns one on a fresh temp folder (or `dir`,
 * e.g. from `folder()` to restart on the same data); `stopAll()` (for `afterAll`) kills every one and removes
 * the folders.
 */
export function cairnProcesses(prefix: string): {
  start: (extra?: string[], dir?: string) => Promise<CairnProcess>;
  folder: (prefix?: string) => string;
  stopAll: () => Promise<void>;
} {
  const dirs: ReturnType<typeof tempDir>[] = [];
  const running: CairnProcess[] = [];
  const folder = (p: string = prefix) => dirs[dirs.push(tempDir(p)) - 1]!.dir;
  return {
    folder,
    async start(extra = [], dir) {
      const data = dir ?? folder();
      const proc = await spawnCairn(data, extra);
      running.push(proc);
      return proc;
    },
    async stopAll() {
      await Promise.all(running.map((p) => p.stop("SIGKILL")));
      for (const d of dirs) d.remove();
    },
  };
}
