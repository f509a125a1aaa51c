/**
 * The `cairn` command line in-process: flag parsing and checking, pass-through to `startServer` (with
 * `--on-duplicate`), exit codes, and the stop-signal state machine (first signal closes, a forwarded copy of
 * it is ignored, another signal exits at once).
 */
import { EventEmitter } from "node:events";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { Writable } from "node:stream";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { runCli } from "../src/commands/program";
import { logFormatOf, RUN_DEFAULTS, runOptions } from "../src/commands/run";
import { type RunningServer, type StartServerOptions, startServer } from "../src/server";
import { sink } from "./helpers";

/** Runs `cairn <argv>` with a fake server; signals are emitted by the returned emitter. */
function fakeRun(argv: string[]) {
  const out = sink();
  const err = sink();
  const signals = new EventEmitter();
  const started: StartServerOptions[] = [];
  const exits: number[] = [];
  let closes = 0;
  let finishClose: () => void = () => {};
  const server: RunningServer = {
    url: "http://127.0.0.1:1234",
    port: 1234,
    reloadAuth: () => {},
    close: () => {
      closes++;
      return new Promise<void>((r) => {
        finishClose = r;
      });
    },
  };
  const code = runCli(argv, {
    stdout: out.stream,
    stderr: err.stream,
    signals: signals as unknown as NodeJS.Process,
    exitNow: (c) => exits.push(c),
    start: async (options) => {
      started.push(options);
      return server;
    },
  });
  return {
    code,
    signals,
    started,
    exits,
    closes: () => closes,
    finishClose: () => finishClose(),
    stdout: out.text,
    stderr: err.text,
  };
}

const tick = () => new Promise((r) => setImmediate(r));

describe("cairn run flags", () => {
  it("passes every flag through to startServer, --on-duplicate included", async () => {
    const run = fakeRun([
      "run",
      "--path",
      "./data",
      "--host",
      "0.0.0.0",
      "--port",
      "0",
      "--allow-reset",
      "--log-level",
      "warn",
      "--max-body-mb",
      "2",
      "--on-duplicate",
      "ignore",
      "--shutdown-grace-ms",
      "250",
      "--no-metrics",
      "--metrics-collection-labels",
      "off",
      "--max-concurrent",
      "8",
      "--max-queued",
      "0",
      "--request-timeout-ms",
      "1500",
      "--cors-origin",
      "http://localhost:5173",
      "https://app.example.com",
    ]);
    await tick();
    expect(run.started).toHaveLength(1);
    const { logger, ...options } = run.started[0]!;
    expect(typeof logger?.info).toBe("function");
    expect(options).toEqual({
      path: resolve("./data"),
      host: "0.0.0.0",
      port: 0,
      allowReset: true,
      logLevel: "warn",
      maxBodyBytes: 2 * 1024 * 1024,
      onDuplicate: "ignore",
      shutdownTimeoutMs: 250,
      metrics: false,
      metricsCollectionLabels: false,
      maxConcurrent: 8,
      maxQueued: 0,
      requestTimeoutMs: 1500,
      corsOrigins: ["http://localhost:5173", "https://app.example.com"],
    });
    expect(run.stderr()).toContain("listening on http://127.0.0.1:1234");
    expect(run.stderr()).toContain("CORS: http://localhost:5173, https://app.example.com");
    expect(run.stderr()).toContain("Duplicate ids in add: ignored");
    run.signals.emit("SIGTERM", "SIGTERM");
    run.finishClose();
    expect(await run.code).toBe(0);
  });

  it("defaults: ./cairn_db on 127.0.0.1:8000, duplicates are errors", () => {
    expect(runOptions({ ...RUN_DEFAULTS, allowReset: false })).toEqual({
      path: resolve("./cairn_db"),
      host: "127.0.0.1",
      port: 8000,
      allowReset: false,
      logLevel: "info",
      maxBodyBytes: 32 * 1024 * 1024,
      onDuplicate: "error",
      shutdownTimeoutMs: 10_000,
      metrics: true,
      metricsCollectionLabels: true,
      maxConcurrent: 64,
      maxQueued: 64,
      requestTimeoutMs: 30_000,
    });
  });

  it("--log-format json writes one JSON object per line; pretty keeps the human line with the request id", async () => {
    for (const format of ["json", "pretty"] as const) {
      const run = fakeRun(["run", "--log-format", format]);
      await tick();
      const logger = run.started[0]!.logger!;
      const before = run.stderr().length;
      logger.info("GET /api/v2/heartbeat 200 0.4ms", {
        req_id: "r-1",
        status: 200,
        route: "/api/v2/heartbeat",
      });
      logger.warn("plain", { file: "x" });
      const lines = run.stderr().slice(before).trimEnd().split("\n");
      expect(lines).toHaveLength(2);
      if (format === "json") {
        const [request, plain] = lines.map((line) => JSON.parse(line));
        expect(request).toMatchObject({
          level: "info",
          msg: "GET /api/v2/heartbeat 200 0.4ms",
          req_id: "r-1",
        });
        expect(request.status).toBe(200);
        expect(Number.isNaN(Date.parse(request.time))).toBe(false);
        expect(plain).toMatchObject({ level: "warn", msg: "plain", file: "x" });
      } else {
        expect(lines[0]).toMatch(/ info {2}GET \/api\/v2\/heartbeat 200 0\.4ms \[r-1\]$/);
        expect(lines[1]).toMatch(/ warn {2}plain \{"file":"x"\}$/);
      }
      run.signals.emit("SIGTERM", "SIGTERM");
      run.finishClose();
      expect(await run.code).toBe(0);
    }
  });

  it("without --log-format: pretty on a terminal, json otherwise", () => {
    expect(logFormatOf({}, Object.assign(new Writable(), { isTTY: true }))).toBe("pretty");
    expect(logFormatOf({}, new Writable())).toBe("json");
    expect(logFormatOf({ logFormat: "pretty" }, new Writable())).toBe("pretty");
  });

  it("a bad value is INVALID_ARGUMENT naming the flag (exit 1); the server is not started", async () => {
    for (const [flag, value, accepted] of [
      ["--on-duplicate", "skip", "ignore or error"],
      ["--log-level", "loud", "silent"],
      ["--port", "-1", "0-65535"],
      ["--max-body-mb", "0", "1-4096"],
      ["--shutdown-grace-ms", "soon", "0-3600000"],
      ["--log-format", "xml", "pretty or json"],
      ["--metrics-collection-labels", "maybe", "on or off"],
      ["--max-concurrent", "0", "1-1000000"],
      ["--max-queued", "-1", "0-1000000"],
      ["--request-timeout-ms", "1s", "0-3600000"],
      ["--cors-origin", "app.example.com", "scheme and host"],
    ] as const) {
      const run = fakeRun(["run", flag, value]);
      expect(await run.code, flag).toBe(1);
      expect(run.stderr()).toContain(`${flag}: expected`);
      expect(run.stderr()).toContain(accepted);
      expect(run.stderr()).toContain("(INVALID_ARGUMENT)");
      expect(run.started).toHaveLength(0);
    }
  });

  it("startServer refuses an onDuplicate other than ignore or error before opening anything", async () => {
    await expect(
      startServer({ path: "./never-created", onDuplicate: "skip" as never }),
    ).rejects.toMatchObject({
      code: "INVALID_ARGUMENT",
      message: expect.stringContaining('onDuplicate: expected "ignore" or "error"'),
    });
  });

  it("--port accepts exactly the integers 0-65535", () => {
    fc.assert(
      fc.property(fc.oneof(fc.integer({ min: -10, max: 70_000 }).map(String), fc.string()), (port) => {
        const ok = /^\d+$/.test(port) && Number(port) <= 65_535;
        const parse = () => runOptions({ ...RUN_DEFAULTS, allowReset: false, port });
        if (ok) expect(parse().port).toBe(Number(port));
        else expect(parse).toThrow(/--port: expected an integer 0-65535/);
      }),
    );
  });

  it("usage errors exit 2 and never start a server", async () => {
    for (const argv of [["run", "--on-duplicate"], ["run", "extra"], ["run", "--bogus"], ["serve"]]) {
      const run = fakeRun(argv);
      expect(await run.code, argv.join(" ")).toBe(2);
      expect(run.stderr()).toContain("error:");
      expect(run.started).toHaveLength(0);
    }
  });
});

describe("stop signals", () => {
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    it(`${signal} closes the server once and exits 0`, async () => {
      const run = fakeRun(["run"]);
      await tick();
      run.signals.emit(signal, signal);
      expect(run.closes()).toBe(1);
      // npx / npm exec forward the terminal's signal: the copy does not count as a second request.
      run.signals.emit(signal, signal);
      expect(run.exits).toEqual([]);
      run.finishClose();
      expect(await run.code).toBe(0);
      expect(run.stderr()).toContain(`${signal}: finishing in-flight requests`);
      expect(run.stderr()).toContain("Stopped.");
      // A signal after the shutdown (on its way to exit 0) changes nothing.
      run.signals.emit("SIGTERM", "SIGTERM");
      expect(run.exits).toEqual([]);
    });
  }

  it("a second, different signal exits at once with code 1", async () => {
    const run = fakeRun(["run"]);
    await tick();
    run.signals.emit("SIGINT", "SIGINT");
    run.signals.emit("SIGTERM", "SIGTERM");
    expect(run.exits).toEqual([1]);
    expect(run.stderr()).toContain("SIGTERM again: exiting without waiting");
    expect(run.closes()).toBe(1);
  });
});

describe("cairn help", () => {
  it("prints to stdout and exits 0", async () => {
    const run = fakeRun(["help", "vacuum"]);
    expect(await run.code).toBe(0);
    expect(run.stdout()).toContain("Usage: cairn vacuum");
  });

  it("docs/server-api.md shows the help texts exactly as the CLI prints them", async () => {
    const doc = readFileSync(fileURLToPath(new URL("../../../docs/server-api.md", import.meta.url)), "utf8");
    for (const argv of [["--help"], ["run", "--help"]]) {
      const marker = `<!-- cairn ${argv.join(" ")} -->\n\`\`\`text\n`;
      const start = doc.indexOf(marker);
      expect(start, `docs/server-api.md lacks the block ${marker.trim()}`).toBeGreaterThan(-1);
      const block = doc.slice(start + marker.length, doc.indexOf("\n```", start + marker.length) + 1);
      const run = fakeRun(argv);
      expect(await run.code).toBe(0);
      const hint = `regenerate the block with: node packages/server/dist/cli.js ${argv.join(" ")}`;
      expect(block, hint).toBe(run.stdout());
    }
  });
});
