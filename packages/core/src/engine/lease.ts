/**
 * Leases: "one process at a time does this job" across every process and thread that has the database open.
 *
 * A lease is a row in SQLite's `leases` table, taken in an IMMEDIATE transaction (so two takers serialise on
 * SQLite's write lock), with an owner id, the owner's pid and host, and an expiry. A lease is free when there
 * is no row, when it expired, or when its owner ran on this host and that process no longer exists (a
 * crashed owner is detected at once instead of after the expiry). Why a row and not an O_EXCL lock file: the
 * row lives in the one file every process already shares and locks correctly, it disappears with the
 * database when that is deleted or restored, and a lock file needs its own stale-file protocol.
 */
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import { type Db, deleteLease, findLease, type LeaseRow, writeLease } from "../storage";
import type { Transactions } from "./transactor";

/** How long a lease lasts unless released; longer than any snapshot write is expected to take. */
export const LEASE_TTL_MS = 120_000;

const owners = new WeakMap<Db, string>();

/** The owner id of a connection (each open engine, in whatever thread or process, is its own owner). */
function ownerOf(db: Db): string {
  let id = owners.get(db);
  if (!id) {
    id = randomUUID();
    owners.set(db, id);
  }
  return id;
}

/** Whether a process with this pid exists on this host. */
function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Whether the holder of a lease no longer holds it: expired, or a dead process on this host. */
export function leaseIsStale(holder: LeaseRow, now: number): boolean {
  if (holder.expiresAt <= now) return true;
  return holder.host === hostname() && holder.pid !== process.pid && !processExists(holder.pid);
}

/**
 * Takes the named lease for this connection, or renews it. Returns false when another live owner holds it.
 * Runs its own IMMEDIATE transaction through `tx` (waits up to the busy timeout for the write lock).
 */
export function tryAcquireLease(
  tx: Transactions,
  db: Db,
  name: string,
  ttlMs: number = LEASE_TTL_MS,
): boolean {
  const owner = ownerOf(db);
  return tx.write(() => {
    const now = Date.now();
    const holder = findLease(db, name);
    if (holder && holder.owner !== owner && !leaseIsStale(holder, now)) return false;
    writeLease(db, name, { owner, pid: process.pid, host: hostname(), expiresAt: now + ttlMs });
    return true;
  });
}

/** Whether this connection holds the named lease (call inside a transaction for a stable answer). */
export function holdsLease(db: Db, name: string): boolean {
  const holder = findLease(db, name);
  return holder !== undefined && holder.owner === ownerOf(db) && holder.expiresAt > Date.now();
}

/** Releases the named lease if this connection holds it. */
export function releaseLease(tx: Transactions, db: Db, name: string): void {
  tx.write(() => deleteLease(db, name, ownerOf(db)));
}
