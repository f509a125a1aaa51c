/**
 * Validation shared by the operations entry points (`backup`, `restore`, `check`): the options object, folder
 * paths, the busy timeout, and the test that a folder holds a Cairn database.
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { expectOptionsObject, rejectUnknownKeys } from "../config";
import { InvalidArgumentError, invalidArgument } from "../errors";
import { DATABASE_FILE } from "../engine/engine";
import { type Logger, silentLogger } from "../types";

/** Default wait for other processes' write locks in the operations tools. */
export const OPS_BUSY_TIMEOUT_MS = 30_000;

/** The options object of an entry point, with unknown keys refused. */
export function readOptions(
  options: unknown,
  name: string,
  keys: readonly string[],
): Record<string, unknown> {
  const opts = expectOptionsObject(options, name);
  rejectUnknownKeys(opts, [...keys], name);
  return opts;
}

/** A non-empty path option, resolved to an absolute path. */
export function pathOption(value: unknown, key: string, what: string): string {
  if (typeof value !== "string" || value.length === 0) throw invalidArgument(key, `expected ${what}`);
  return resolve(value);
}

/** The busy timeout option (default {@link OPS_BUSY_TIMEOUT_MS}). */
export function busyTimeoutOption(value: unknown): number {
  const ms = value ?? OPS_BUSY_TIMEOUT_MS;
  if (typeof ms !== "number" || !Number.isSafeInteger(ms) || ms < 0)
    throw invalidArgument("busyTimeoutMs", "expected a non-negative integer number of milliseconds");
  return ms;
}

/** The logger option (default: silent). */
export function loggerOption(value: unknown): Logger {
  return (value as Logger | undefined) ?? silentLogger;
}

/** A boolean option (default false). */
export function flagOption(value: unknown, key: string): boolean {
  if (value === undefined) return false;
  if (typeof value !== "boolean") throw invalidArgument(key, "expected true or false");
  return value;
}

/** Refuses a folder that holds no Cairn database. */
export function requireDatabaseFolder(path: string, key = "path"): void {
  if (!existsSync(join(path, DATABASE_FILE))) {
    throw new InvalidArgumentError(
      "INVALID_ARGUMENT",
      `${key}: no Cairn database in ${path} (expected ${DATABASE_FILE})`,
      { details: { path } },
    );
  }
}

/** Whether `path` is missing or an empty folder. */
export function isMissingOrEmpty(path: string): boolean {
  if (!existsSync(path)) return true;
  return statSync(path).isDirectory() && readdirSync(path).length === 0;
}
