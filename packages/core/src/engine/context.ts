/**
 * What every part of the engine works with: the connection, the one transaction helper, the in-memory
 * indexes and the settings the engine was opened with. Built once by `Engine`; the modules beside it
 * (collections, databases, writes, reads) are plain functions of this context.
 */
import type * as store from "../storage";
import type { Logger } from "../types";
import type { IndexFactory } from "./index-factory";
import type { IndexManager } from "./index-manager";
import type { CollectionModel } from "./namespaces";
import type { Transactor } from "./transactor";

/** The state of one open database, shared by the engine's modules. */
export interface EngineContext {
  readonly db: store.Db;
  /** The database file, or null in memory. */
  readonly file: string | null;
  /** The database folder, or null in memory. */
  readonly root: string | null;
  /** Every transaction goes through it (busy retries, error mapping). */
  readonly tx: Transactor;
  readonly indexes: IndexManager;
  readonly factory: IndexFactory;
  readonly logger: Logger;
  /**
   * The collection models this engine last read inside a write, by id. Writes use them to catch the index up
   * before taking the write lock without a lookup of their own; the write transaction reads the model once,
   * authoritatively, and refreshes this entry.
   */
  readonly known: Map<string, CollectionModel>;
}
