/** The embedded clients: in-memory and persistent, one implementation. */
import { resolve } from "node:path";
import { expectOptionsObject, rejectUnknownKeys } from "../config";
import { Engine } from "../engine";
import { invalidArgument } from "../errors";
import { silentLogger } from "../types";
import { CairnClient, type ClientOptions } from "./client";
import { LocalBackend } from "./local-backend";

/** Options of the embedded clients. */
export interface LocalClientOptions extends ClientOptions {
  /** Allow `reset()` (it deletes everything). Default false. */
  allowReset?: boolean;
  /** How long a write waits for another process's write lock (default 30 000 ms). */
  busyTimeoutMs?: number;
  /**
   * `"normal"` (default): every acknowledged write survives a process crash. `"full"`: also an OS crash or
   * power loss (fsync on every commit; slower writes).
   */
  durability?: "normal" | "full";
}

/**
 * Options of `PersistentClient`.
 * @example new PersistentClient({ path: "./cairn_db" })
 */
export interface PersistentClientOptions extends LocalClientOptions {
  /** The database folder (created if missing). */
  path: string;
}

const LOCAL_KEYS = [
  "tenant",
  "database",
  "logger",
  "embeddingFunctions",
  "allowReset",
  "busyTimeoutMs",
  "durability",
];

function openEngine(path: string | null, options: LocalClientOptions): Engine {
  const durability = options.durability ?? "normal";
  if (durability !== "normal" && durability !== "full")
    throw invalidArgument("durability", 'expected "normal" or "full"');
  return new Engine({
    path,
    logger: options.logger ?? silentLogger,
    busyTimeoutMs: options.busyTimeoutMs ?? 30_000,
    durability,
  });
}

/**
 * A database in a folder on disk: SQLite (source of truth) plus HNSW index snapshots. Any number of processes
 * may open the same path.
 * @example
 * const client = new PersistentClient({ path: "./cairn_db" });
 * const docs = await client.getOrCreateCollection({ name: "docs", embeddingFunction: new HashEmbeddingFunction() });
 */
export class PersistentClient extends CairnClient {
  /** The absolute database folder. */
  readonly path: string;

  constructor(options: PersistentClientOptions) {
    const opts = expectOptionsObject(options, "PersistentClient");
    rejectUnknownKeys(opts, ["path", ...LOCAL_KEYS], "PersistentClient");
    if (typeof opts.path !== "string" || opts.path.length === 0)
      throw invalidArgument("path", "expected the database folder");
    const path = resolve(opts.path);
    super(new LocalBackend(openEngine(path, options)), options, options.allowReset === true);
    this.path = path;
  }
}

/**
 * An in-memory database for tests and throwaway work: same API, nothing written to disk.
 * @example const client = new EphemeralClient();
 */
export class EphemeralClient extends CairnClient {
  constructor(options: LocalClientOptions = {}) {
    const opts = expectOptionsObject(options, "EphemeralClient");
    rejectUnknownKeys(opts, LOCAL_KEYS, "EphemeralClient");
    super(new LocalBackend(openEngine(null, options)), options, options.allowReset === true);
  }
}
