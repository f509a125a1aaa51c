/** `cairn run`: serve a database folder until SIGINT/SIGTERM, then shut down gracefully. */
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { invalidArgument } from "@cairndb/core";
import { DEFAULT_MAX_BODY_BYTES } from "../app";
import { isLogLevel } from "../logging";
import { startServer } from "../server";
import { SERVER_VERSION } from "../version";
import { createStreamLogger } from "./stderr-logger";

const OPTIONS = {
  path: { type: "string", default: "./cairn_db" },
  host: { type: "string", default: "127.0.0.1" },
  port: { type: "string", default: "8000" },
  "allow-reset": { type: "boolean", default: false },
  "on-duplicate": { type: "string", default: "error" },
  "log-level": { type: "string", default: "info" },
  "max-body-mb": { type: "string", default: String(DEFAULT_MAX_BODY_BYTES / 1024 / 1024) },
} as const;

function integer(value: string, flag: string, min: number, max: number): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < min || n > max)
    throw invalidArgument(flag, `expected an integer ${min}-${max}, got "${value}"`);
  return n;
}

/** Runs the server; resolves once it has shut down after a signal. */
export async function runCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: OPTIONS, strict: true, allowPositionals: false });
  const logLevel = values["log-level"];
  if (!isLogLevel(logLevel))
    throw invalidArgument("--log-level", `expected debug, info, warn, error or silent, got "${logLevel}"`);
  const onDuplicate = values["on-duplicate"];
  if (onDuplicate !== "error" && onDuplicate !== "ignore")
    throw invalidArgument("--on-duplicate", `expected error or ignore, got "${onDuplicate}"`);
  const logger = createStreamLogger(process.stderr);
  const path = resolve(values.path);
  const server = await startServer({
    path,
    host: values.host,
    port: integer(values.port, "--port", 0, 65_535),
    allowReset: values["allow-reset"],
    onDuplicate,
    maxBodyBytes: integer(values["max-body-mb"], "--max-body-mb", 1, 4096) * 1024 * 1024,
    logLevel,
    logger,
  });
  // The banner goes to stderr whatever the level (it is the CLI's, not the library's).
  process.stderr.write(
    `Cairn ${SERVER_VERSION} listening on ${server.url}\nData: ${path}${values["allow-reset"] ? "\nReset: allowed" : ""}\n`,
  );
  return new Promise<number>((done) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) {
        process.stderr.write(`${signal} again: exiting without waiting for in-flight requests\n`);
        process.exit(1);
      }
      stopping = true;
      process.stderr.write(`${signal}: finishing in-flight requests, then closing the database…\n`);
      server.close().then(
        () => {
          process.stderr.write("Stopped.\n");
          done(0);
        },
        (error: unknown) => {
          process.stderr.write(`Shutdown failed: ${(error as Error)?.message ?? error}\n`);
          done(1);
        },
      );
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
}
