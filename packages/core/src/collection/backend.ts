/**
 * The seam between the public Client/Collection API and where the data lives: the embedded engine
 * (`client/local-backend.ts`) or a Cairn/Chroma server (`http/`). Collection and Client logic — validation,
 * embedding, result shapes — is written once above this interface.
 */
import type { CollectionConfig } from "../config";
import type { WritePolicy } from "../engine";

export type { WritePolicy };
import type { CollectionMetadata, GetColumns, IncludeField, Metadata, QueryColumns } from "../types";
import type { ValidatedSelection, ValidatedWrite } from "./validate";

/** A collection as a backend describes it. */
export interface CollectionDescription {
  id: string;
  name: string;
  tenant: string;
  database: string;
  metadata: CollectionMetadata | null;
  configuration: CollectionConfig;
  /** Fixed by the first write; null before. */
  dimension: number | null;
}

/** A database (namespace) description. */
export interface DatabaseDescription {
  id: string;
  name: string;
  tenant: string;
}

/** Record operations of one collection. Reads return Chroma's column-wise shapes (excluded fields `[]`). */
export interface CollectionBackend {
  /** Writes a validated, embedded batch atomically under `policy` (duplicates on add, metadata on upsert). */
  write(
    collectionId: string,
    mode: "add" | "upsert" | "update",
    batch: ValidatedWrite,
    policy: WritePolicy,
  ): Promise<void>;
  get(
    collectionId: string,
    selection: ValidatedSelection,
    page: { limit?: number | undefined; offset?: number | undefined },
    include: IncludeField[],
  ): Promise<GetColumns>;
  query(
    collectionId: string,
    vectors: Float32Array[],
    k: number,
    selection: ValidatedSelection,
    include: IncludeField[],
  ): Promise<QueryColumns>;
  delete(collectionId: string, selection: ValidatedSelection, limit: number | undefined): Promise<number>;
  count(collectionId: string): Promise<number>;
  /** Applies a rename / metadata replacement / mutable configuration update; returns the new description. */
  modify(
    collectionId: string,
    changes: {
      name?: string | undefined;
      metadata?: CollectionMetadata | null | undefined;
      configuration?: unknown;
    },
  ): Promise<CollectionDescription>;
  /** The current description (e.g. after another process changed it). */
  describe(collectionId: string): Promise<CollectionDescription>;
}

/** Everything a client needs: namespaces, collections, and record operations. */
export interface ClientBackend extends CollectionBackend {
  heartbeat(): Promise<number>;
  version(): Promise<string>;
  createCollection(input: {
    tenant: string;
    database: string;
    name: string;
    metadata: CollectionMetadata | null;
    configuration: CollectionConfig;
    getOrCreate: boolean;
  }): Promise<{ collection: CollectionDescription; created: boolean }>;
  getCollection(tenant: string, database: string, name: string): Promise<CollectionDescription>;
  getCollectionById(id: string): Promise<CollectionDescription>;
  listCollections(
    tenant: string,
    database: string,
    limit: number,
    offset: number,
  ): Promise<CollectionDescription[]>;
  countCollections(tenant: string, database: string): Promise<number>;
  deleteCollection(tenant: string, database: string, name: string): Promise<void>;
  createTenant(name: string): Promise<void>;
  getTenant(name: string): Promise<{ name: string }>;
  createDatabase(tenant: string, name: string): Promise<DatabaseDescription>;
  getDatabase(tenant: string, name: string): Promise<DatabaseDescription>;
  listDatabases(tenant: string, limit: number, offset: number): Promise<DatabaseDescription[]>;
  deleteDatabase(tenant: string, name: string): Promise<void>;
  reset(): Promise<void>;
  close(): Promise<void>;
}
