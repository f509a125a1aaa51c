/**
 * The write verbs: write a batch (add / upsert / update) and delete a selection. Each reads the collection
 * model ONCE, inside its IMMEDIATE transaction, and passes it down; the index is caught up before the lock is
 * taken and takes the committed change afterwards (`afterCommit`).
 */
import * as store from "../storage";
import { afterCommit } from "./commit";
import type { EngineContext } from "./context";
import * as ns from "./namespaces";
import { type Selection, selectedLabels } from "./reader";
import type { WriteBatch, WriteMode, WritePolicy } from "./types";
import { deleteLabels, writeBatch } from "./writer";

type CollectionModel = ns.CollectionModel;

/**
 * Catches the collection's index up with every committed change in a read transaction, i.e. without holding
 * the write lock: index work (HNSW inserts) never delays other writers. When no other write lands before this
 * one commits, the index is then exactly one write behind and `applyCommitted` applies it from memory;
 * otherwise the index catches up from SQLite on its next use, again outside the lock.
 *
 * Uses the model the previous write of this collection read (no lookup); only the first write of a
 * collection in this engine reads it here.
 */
function catchUpOutsideLock(ctx: EngineContext, collectionId: string): void {
  ctx.tx.read(() => {
    const model = ctx.known.get(collectionId) ?? ns.requireCollection(ctx.db, collectionId);
    ctx.indexes.current(model);
  });
}

/** Reads the model inside the write transaction (the one lookup of a write) and remembers it. */
function lockedModel(ctx: EngineContext, collectionId: string): CollectionModel {
  try {
    const model = ns.requireCollection(ctx.db, collectionId);
    ctx.known.set(collectionId, model);
    return model;
  } catch (error) {
    ctx.known.delete(collectionId);
    throw error;
  }
}

/**
 * Writes a validated, embedded batch in one transaction.
 * @returns how many records were written (ids skipped by `onDuplicate: "ignore"` not counted).
 */
export function writeRecords(
  ctx: EngineContext,
  collectionId: string,
  mode: WriteMode,
  batch: WriteBatch,
  policy: WritePolicy,
): number {
  catchUpOutsideLock(ctx, collectionId);
  const { collection, outcome } = ctx.tx.write(() => {
    const before = lockedModel(ctx, collectionId);
    const result = writeBatch(ctx.db, before, mode, batch, policy);
    const after = result.dimension === before.dimension ? before : { ...before, dimension: result.dimension };
    return { collection: after, outcome: result };
  });
  ctx.known.set(collectionId, collection);
  afterCommit(ctx, collection, outcome.changes, outcome.written); // never throws: the write is durable
  return outcome.written;
}

/** Deletes the selected records; returns how many were deleted. */
export function deleteRecords(
  ctx: EngineContext,
  collectionId: string,
  selection: Selection,
  limit?: number,
): number {
  catchUpOutsideLock(ctx, collectionId);
  const { collection, changes } = ctx.tx.write(() => {
    const model = lockedModel(ctx, collectionId);
    const labels = selectedLabels(ctx.db, collectionId, selection, { limit });
    const result = deleteLabels(ctx.db, collectionId, labels);
    // In memory no other connection exists, so nothing wrote since the catch-up: the one index has applied
    // every earlier delete.
    if (!ctx.file && result.seq > 0) store.dropTombstonesBefore(ctx.db, collectionId, result.seq);
    return { collection: model, changes: result };
  });
  afterCommit(ctx, collection, changes, changes.removals.length);
  return changes.removals.length;
}
