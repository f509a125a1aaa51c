/**
 * `cairn run`: checks the flags, serves a database folder, and shuts down gracefully on SIGINT, SIGTERM or
 * SIGHUP (stop accepting, let in-flight requests finish within the grace period, close the database, exit 0).
 */
import { resolve } from "node:path";
import { invalidArgument } from "@cairndb/core";
import { DEFAULT_MAX_BODY_BYTES } from "../app";
import { checkCorsOrigins } from "../cors";
import { DEFAULT_MAX_CONCURRENT, DEFAULT_MAX_QUEUED, DEFAULT_REQUEST_TIMEOUT_MS } from "../limits";
import { isLogLevel } from "../logging";
import { isDuplicateMode, type RunningServer, type StartServerOptions, startServer } from "../server";
import { SERVER_VERSION } from "../version";
import { createJsonLogger, defaultLogFormat, type LogFormat, lineStream } from "./json-logger";
import { createStreamLogger } from "./stderr-logger";

/** The flags of `cairn run` as commander parses them (strings; checked by {@link runOptions}). */
export interface RunFlags {
  path: string;
  host: string;
  port: string;
  allowReset: boolean;
  logLevel: string;
  maxBodyMb: string;
  onDuplicate: string;
  shutdownGraceMs: string;
  /** `--auth FILE` (or `CAIRN_AUTH_FILE`): the auth file; absent = open server. */
  auth?: string;
  /** `pretty` | `json`; omitted: pretty when stderr is a terminal, else json. */
  logFormat?: string;
  /** `--no-metrics` sets false. */
  metrics?: boolean;
  /** `on` | `off`. */
  metricsCollectionLabels?: string;
  maxConcurrent: string;
  maxQueued: string;
  requestTimeoutMs: string;
  /** `--cors-origin <origin...>` (absent: CORS off). */
  corsOrigin?: string[];
}

/** Defaults of the `cairn run` flags (shown in `cairn run --help`). */
export const RUN_DEFAULTS: Omit<RunFlags, "allowReset" | "logFormat" | "metrics" | "corsOrigin"> = {
  path: "./cairn_db",
  host: "127.0.0.1",
  port: "8000",
  logLevel: "info",
  maxBodyMb: String(DEFAULT_MAX_BODY_BYTES / 1024 / 1024),
  onDuplicate: "error",
  shutdownGraceMs: "10000",
  metricsCollectionLabels: "on",
  maxConcurrent: String(DEFAULT_MAX_CONCURRENT),
  maxQueued: String(DEFAULT_MAX_QUEUED),
  requestTimeoutMs: String(DEFAULT_REQUEST_TIMEOUT_MS),
};

/** Signals that stop the server. */
export const STOP_SIGNALS: readonly NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];

/**
 * The same signal again within this window is the copy a wrapper forwards (`npx` / `npm exec` pass SIGINT and
 * SIGTERM on to the child, which already got the terminal's Ctrl-C through its process group), not a second
 * request to stop.
 */
const FORWARDED_COPY_MS = 1000;

function integer(value: string, flag: string, min: number, max: number): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < min || n > max)
    throw invalidArgument(flag, `expected an integer ${min}-${max}, got "${value}"`);
  return n;
}

/**
 * Checks the flags of `cairn run` and turns them into {@link startServer} options (without the logger).
 * @throws InvalidArgumentError code `INVALID_ARGUMENT` naming the flag and the accepted values
 * @example runOptions({ ...RUN_DEFAULTS, allowReset: false, onDuplicate: "ignore" }).onDuplicate // "ignore"
 */
export function runOptions(flags: RunFlags): Omit<StartServerOptions, "logger"> {
  const logLevel = flags.logLevel;
  if (!isLogLevel(logLevel))
    throw invalidArgument("--log-level", `expected debug, info, warn, error or silent, got "${logLevel}"`);
  const onDuplicate = flags.onDuplicate;
  if (!isDuplicateMode(onDuplicate))
    throw invalidArgument("--on-duplicate", `expected ignore or error, got "${onDuplicate}"`);
  const labels = flags.metricsCollectionLabels ?? "on";
  if (labels !== "on" && labels !== "off")
    throw invalidArgument("--metrics-collection-labels", `expected on or off, got "${labels}"`);
  return {
    path: resolve(flags.path),
    host: flags.host,
    port: integer(flags.port, "--port", 0, 65_535),
    allowReset: flags.allowReset,
    maxBodyBytes: integer(flags.maxBodyMb, "--max-body-mb", 1, 4096) * 1024 * 1024,
    logLevel,
    onDuplicate,
    shutdownTimeoutMs: integer(flags.shutdownGraceMs, "--shutdown-grace-ms", 0, 3_600_000),
    ...(flags.auth !== undefined && { authFile: resolve(flags.auth) }),
    metrics: flags.metrics !== false,
    metricsCollectionLabels: labels === "on",
    // Older callers (tests, embedders) may pass flags without the limit fields: the defaults apply.
    maxConcurrent: integer(
      flags.maxConcurrent ?? RUN_DEFAULTS.maxConcurrent,
      "--max-concurrent",
      1,
      1_000_000,
    ),
    maxQueued: integer(flags.maxQueued ?? RUN_DEFAULTS.maxQueued, "--max-queued", 0, 1_000_000),
    requestTimeoutMs: integer(
      flags.requestTimeoutMs ?? RUN_DEFAULTS.requestTimeoutMs,
      "--request-timeout-ms",
      0,
      3_600_000,
    ),
    ...(flags.corsOrigin && flags.corsOrigin.length > 0
      ? { corsOrigins: checkCorsFlag(flags.corsOrigin) }
      : {}),
  };
}

/**
 * The log format of `cairn run`: the flag's value, else pretty when `stderr` is a terminal and json otherwise.
 * @throws InvalidArgumentError code `INVALID_ARGUMENT` for another value
 */
export function logFormatOf(flags: Pick<RunFlags, "logFormat">, stderr: NodeJS.WritableStream): LogFormat {
  const format = flags.logFormat;
  if (format === undefined) return defaultLogFormat(stderr);
  if (format !== "pretty" && format !== "json")
    throw invalidArgument("--log-format", `expected pretty or json, got "${format}"`);
  return format;
}

function checkCorsFlag(origins: string[]): string[] {
  try {
    return checkCorsOrigins(origins);
  } catch (error) {
    throw invalidArgument("--cors-origin", (error as Error).message.replace(/^[^:]*: /, ""));
  }
}

/** What `cairn run` needs from its surroundings (replaced in tests). */
export interface RunEnvironment {
  /** Starts the server (default {@link startServer}). */
  start?: (options: StartServerOptions) => Promise<RunningServer>;
  /** Where the banner and shutdown messages go (default stderr). */
  stderr?: NodeJS.WritableStream;
  /** Where signals come from (default `process`). */
  signals?: Pick<NodeJS.Process, "on" | "off">;
  /** Called on a second stop signal: leave now, without waiting (default `process.exit`). */
  exitNow?: (code: number) => void;
}

/** Runs the server; resolves with the exit code once it has shut down after a signal. */
export async function runCommand(flags: RunFlags, env: RunEnvironment = {}): Promise<number> {
  const stream = env.stderr ?? process.stderr;
  const options = runOptions(flags);
  const json = logFormatOf(flags, stream) === "json";
  const logger = json ? createJsonLogger(stream) : createStreamLogger(stream);
  // In JSON mode the banner and shutdown messages are JSON lines too.
  const stderr = json ? lineStream(logger) : stream;
  const server = await (env.start ?? startServer)({ ...options, logger });
  // The banner goes to stderr whatever the level (it is the CLI's, not the library's).
  stderr.write(
    `Cairn ${SERVER_VERSION} listening on ${server.url}\nData: ${options.path}` +
      `${options.allowReset ? "\nReset: allowed" : ""}` +
      `${options.onDuplicate === "ignore" ? "\nDuplicate ids in add: ignored" : ""}` +
      `${options.metrics ? `\nMetrics: ${server.url}/metrics` : ""}` +
      `${options.corsOrigins ? `\nCORS: ${options.corsOrigins.join(", ")}` : ""}\n` +
      (options.authFile
        ? `Auth: tokens from ${options.authFile} (reloaded when it changes)\n`
        : "Warning: no --auth file (or CAIRN_AUTH_FILE): anyone who can reach this port can read and write everything\n"),
  );
  return untilStopped(server, stderr, env.signals ?? process, env.exitNow ?? ((code) => process.exit(code)));
}

function untilStopped(
  server: RunningServer,
  stderr: NodeJS.WritableStream,
  signals: Pick<NodeJS.Process, "on" | "off">,
  exitNow: (code: number) => void,
): Promise<number> {
  return new Promise<number>((done) => {
    let first: { signal: NodeJS.Signals; at: number } | undefined;
    let finished = false;
    // The handlers stay installed until the process exits: removing them would restore the default action, and a
    // signal arriving between a clean shutdown and the exit would then kill the process instead of letting it
    // exit 0.
    const finish = (code: number) => {
      finished = true;
      done(code);
    };
    const stop = (signal: NodeJS.Signals) => {
      if (finished) return; // already shut down; exiting
      if (first) {
        if (signal === first.signal && performance.now() - first.at < FORWARDED_COPY_MS) return;
        stderr.write(`${signal} again: exiting without waiting for in-flight requests\n`);
        exitNow(1);
        return;
      }
      first = { signal, at: performance.now() };
      stderr.write(`${signal}: finishing in-flight requests, then closing the database…\n`);
      server.close().then(
        () => {
          stderr.write("Stopped.\n");
          finish(0);
        },
        (error: unknown) => {
          stderr.write(`Shutdown failed: ${(error as Error)?.message ?? error}\n`);
          finish(1);
        },
      );
    };
    for (const signal of STOP_SIGNALS) signals.on(signal, stop);
  });
}
