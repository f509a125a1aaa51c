import type { Statement } from "better-sqlite3";
import type { Db } from "./database";

const caches = new WeakMap<Db, Map<string, Statement>>();

/** A prepared statement, cached per connection (preparing is the costly part of small statements). */
export function stmt(db: Db, sql: string): Statement {
  let cache = caches.get(db);
  if (!cache) {
    cache = new Map();
    caches.set(db, cache);
  }
  let statement = cache.get(sql);
  if (!statement) {
    statement = db.prepare(sql);
    if (cache.size > 500) cache.clear();
    cache.set(sql, statement);
  }
  return statement;
}
