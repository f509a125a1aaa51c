/**
 * Maintenance entry points that work on a database folder without a client (the `cairn vacuum` command).
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { expectOptionsObject, rejectUnknownKeys } from "../config";
import { InvalidArgumentError, invalidArgument } from "../errors";
import { type Logger, silentLogger } from "../types";
import { DATABASE_FILE, Engine } from "./engine";
import type { VacuumResult } from "./vacuum";

/**
 * Options of {@link vacuum}.
 * @example await vacuum({ path: "./cairn_db" })
 */
export interface VacuumOptions {
  /** The database folder (it must hold a Cairn database). */
  path: string;
  /** Where warnings go (e.g. an index that had to be rebuilt). */
  logger?: Logger;
  /** How long to wait for other processes' write locks (default 30 000 ms). */
  busyTimeoutMs?: number;
}

/**
 * Reclaims the space that deleted and overwritten records left behind in a database folder: rebuilds every
 * collection's vector index without tombstones and snapshots it, prunes tombstone rows, merges the full-text
 * index, rewrites the SQLite file without free pages (`VACUUM`) and truncates its WAL.
 *
 * Safe while other processes have the database open: they keep reading; their writes wait for the lock while
 * the file is rewritten (for a large database, run it when writes are quiet). Needs free disk space of about
 * the database's size while it runs.
 * @returns sizes before and after, and what was rebuilt.
 * @throws InvalidArgumentError when `path` holds no Cairn database; StorageError when it cannot be read.
 * @example
 * const { bytesBefore, bytesAfter } = await vacuum({ path: "./cairn_db" });
 */
export async function vacuum(options: VacuumOptions): Promise<VacuumResult> {
  const opts = expectOptionsObject(options, "vacuum");
  rejectUnknownKeys(opts, ["path", "logger", "busyTimeoutMs"], "vacuum");
  if (typeof opts.path !== "string" || opts.path.length === 0)
    throw invalidArgument("path", "expected the database folder");
  const busyTimeoutMs = opts.busyTimeoutMs ?? 30_000;
  if (typeof busyTimeoutMs !== "number" || !Number.isSafeInteger(busyTimeoutMs) || busyTimeoutMs < 0) {
    throw invalidArgument("busyTimeoutMs", "expected a non-negative integer number of milliseconds");
  }
  const path = resolve(opts.path);
  if (!existsSync(resolve(path, DATABASE_FILE))) {
    throw new InvalidArgumentError(
      "INVALID_ARGUMENT",
      `path: no Cairn database in ${path} (expected ${DATABASE_FILE})`,
      {
        details: { path },
      },
    );
  }
  const engine = new Engine({
    path,
    logger: (opts.logger as Logger | undefined) ?? silentLogger,
    busyTimeoutMs,
    durability: "normal",
  });
  try {
    return engine.vacuum();
  } finally {
    engine.close();
  }
}

export type { VacuumResult } from "./vacuum";
