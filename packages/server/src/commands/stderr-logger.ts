/** The CLI's human-readable logger (`--log-format pretty`): one line per message on stderr (the library never prints). */
import type { Logger } from "@cairndb/core";
import { REQUEST_LOG_KEYS } from "../request-log";

type Level = "debug" | "info" | "warn" | "error";

function format(level: Level, message: string, context?: Record<string, unknown>): string {
  // A request line already says method, path, status and duration: add only its id.
  const id = typeof context?.req_id === "string" ? ` [${context.req_id}]` : "";
  const rest = context ? Object.entries(context).filter(([key]) => !REQUEST_LOG_KEYS.includes(key)) : [];
  const extra = rest.length > 0 ? ` ${JSON.stringify(Object.fromEntries(rest))}` : "";
  return `${new Date().toISOString()} ${level.padEnd(5)} ${message}${id}${extra}\n`;
}

/** A logger writing timestamped lines to a stream (default stderr). */
export function createStreamLogger(stream: NodeJS.WritableStream = process.stderr): Logger {
  const write = (level: Level) => (message: string, context?: Record<string, unknown>) => {
    stream.write(format(level, message, context));
  };
  return { debug: write("debug"), info: write("info"), warn: write("warn"), error: write("error") };
}
