/** Log levels: the server logs through an injected `Logger` (the library never prints) filtered by level. */
import { type Logger, silentLogger } from "@cairndb/core";

/** How much the server logs. `info` includes one line per request. */
export type LogLevel = "debug" | "info" | "warn" | "error" | "silent";

/** Every level, most verbose first. */
export const LOG_LEVELS: readonly LogLevel[] = ["debug", "info", "warn", "error", "silent"];

/** Whether a string names a level. */
export function isLogLevel(value: unknown): value is LogLevel {
  return typeof value === "string" && (LOG_LEVELS as readonly string[]).includes(value);
}

/** A logger that forwards only messages at `level` or above. */
export function filterLogger(logger: Logger | undefined, level: LogLevel): Logger {
  if (!logger || level === "silent") return silentLogger;
  const min = LOG_LEVELS.indexOf(level);
  const keep = (l: LogLevel) => LOG_LEVELS.indexOf(l) >= min;
  return {
    debug: (m, c) => keep("debug") && logger.debug(m, c),
    info: (m, c) => keep("info") && logger.info(m, c),
    warn: (m, c) => keep("warn") && logger.warn(m, c),
    error: (m, c) => keep("error") && logger.error(m, c),
  };
}
