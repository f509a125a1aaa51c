/**
 * The CLI's JSON logger (`cairn run --log-format json`): one JSON object per line via pino, with `time` (ISO
 * 8601), `level` (a name), `msg`, and the message's structured fields (a request's `req_id`, `method`,
 * `route`, `status`, `duration_ms`, …).
 */
import { Writable } from "node:stream";
import type { Logger } from "@cairndb/core";
import { pino } from "pino";

/**
 * A logger writing JSON lines to a stream (default stderr). Level filtering is done by the server
 * (`--log-level`), so every message given to it is written.
 * @example createJsonLogger(process.stderr).info("GET /api/v2/heartbeat 200 0.4ms", { req_id: "r1" })
 */
export function createJsonLogger(stream: NodeJS.WritableStream = process.stderr): Logger {
  const log = pino(
    {
      level: "debug",
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    stream as unknown as pino.DestinationStream,
  );
  const write =
    (level: "debug" | "info" | "warn" | "error") => (message: string, context?: Record<string, unknown>) =>
      log[level](context ?? {}, message);
  return { debug: write("debug"), info: write("info"), warn: write("warn"), error: write("error") };
}

/** Log formats of `cairn run --log-format`. */
export type LogFormat = "pretty" | "json";

/** The default format: pretty on a terminal, JSON otherwise (a log collector, a file, a container). */
export function defaultLogFormat(stream: NodeJS.WritableStream): LogFormat {
  return (stream as NodeJS.WriteStream).isTTY ? "pretty" : "json";
}

/**
 * A stream that logs each line written to it as one `info` message: in JSON mode the CLI's banner and shutdown
 * messages become JSON lines too, so everything on stderr is machine-readable.
 */
export function lineStream(logger: Logger): NodeJS.WritableStream {
  return new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split("\n")) if (line.length > 0) logger.info(line);
      done();
    },
  });
}
