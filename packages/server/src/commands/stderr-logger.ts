/** The CLI's logger: one line per message on stderr (the library itself never prints). */
import type { Logger } from "@cairndb/core";

type Level = "debug" | "info" | "warn" | "error";

function format(level: Level, message: string, context?: Record<string, unknown>): string {
  const extra = context && Object.keys(context).length > 0 ? ` ${JSON.stringify(context)}` : "";
  return `${new Date().toISOString()} ${level.padEnd(5)} ${message}${extra}\n`;
}

/** A logger writing timestamped lines to a stream (default stderr). */
export function createStreamLogger(stream: NodeJS.WritableStream = process.stderr): Logger {
  const write = (level: Level) => (message: string, context?: Record<string, unknown>) => {
    stream.write(format(level, message, context));
  };
  return { debug: write("debug"), info: write("info"), warn: write("warn"), error: write("error") };
}
