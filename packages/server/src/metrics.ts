/**
 * Prometheus metrics of one app (`GET /metrics`): requests by route template and status, latency, in-flight
 * requests, the concurrency limiter's slots, queue, 429s and 504s, records and vector bytes per collection (read from the client at scrape time), the WAL file's size
 * and the process metrics. Every app has its own registry, so several servers in one process do not clash.
 */
import { statSync } from "node:fs";
import { join } from "node:path";
import type { CairnClient } from "@cairndb/core";
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { LimiterStats } from "./limits";

/** The SQLite database file inside a database folder (its WAL is this name + `-wal`). */
const DATABASE_FILE = "cairn.sqlite3";

/** Latency buckets in seconds: 1 ms to 10 s. */
export const LATENCY_BUCKETS: readonly number[] = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];

/** At most this many tenants are remembered for the per-collection gauges (the client cannot list tenants). */
export const MAX_TRACKED_TENANTS = 1000;

/** At most this many collections are read per scrape (a huge database must not make a scrape unbounded). */
export const MAX_SCRAPED_COLLECTIONS = 10_000;

const DEFAULT_TENANT = "default_tenant";
const PAGE = 1000;

/** Options of {@link createMetrics}. */
export interface MetricsOptions {
  /**
   * Label the per-collection gauges by tenant, database and collection (default true). False exports one
   * unlabelled total per gauge instead, for servers with many collections (bounded label cardinality).
   */
  collectionLabels?: boolean;
  /** The database folder, for `cairn_wal_bytes` (omitted: the gauge is not exported). */
  databasePath?: string;
  /** The concurrency limiter's live numbers, for the `cairn_http_requests_{active,queued,…}` metrics (omitted: not exported). */
  limiter?: () => LimiterStats;
}

/** One app's metrics: its registry and the hooks the request middleware calls. */
export interface ServerMetrics {
  /** The app's own registry (`registry.metrics()` is the `/metrics` body). */
  readonly registry: Registry;
  /** Call when a request starts; the returned function records it when it ends. */
  start(method: string): (route: string, status: number) => void;
  /** Remembers a tenant the server answered for, so its collections are included in the scrape. */
  noteTenant(tenant: string): void;
}

interface CollectionStat {
  tenant: string;
  database: string;
  collection: string;
  records: number;
  vectorBytes: number;
}

async function listAll<T>(page: (limit: number, offset: number) => Promise<T[]>, cap: number): Promise<T[]> {
  const out: T[] = [];
  for (let offset = 0; out.length < cap; offset += PAGE) {
    const rows = await page(Math.min(PAGE, cap - out.length), offset);
    out.push(...rows);
    if (rows.length < PAGE) break;
  }
  return out;
}

async function collectionStats(client: CairnClient, tenants: Iterable<string>): Promise<CollectionStat[]> {
  const stats: CollectionStat[] = [];
  for (const tenant of tenants) {
    let databases: { name: string }[];
    try {
      databases = await listAll(
        (limit, offset) => client.listDatabases({ tenant, limit, offset }),
        PAGE * 100,
      );
    } catch {
      continue; // the tenant no longer exists (reset)
    }
    for (const { name: database } of databases) {
      const scoped = client.withDatabase({ tenant, database });
      const left = MAX_SCRAPED_COLLECTIONS - stats.length;
      if (left <= 0) return stats;
      const collections = await listAll((limit, offset) => scoped.listCollections({ limit, offset }), left);
      for (const collection of collections) {
        const records = await collection.count();
        stats.push({
          tenant,
          database,
          collection: collection.name,
          records,
          vectorBytes: records * (collection.dimension ?? 0) * 4,
        });
      }
    }
  }
  return stats;
}

function walBytes(path: string): number {
  try {
    return statSync(join(path, `${DATABASE_FILE}-wal`)).size;
  } catch {
    return 0; // no WAL file (checkpointed and removed, or not created yet)
  }
}

/**
 * Creates the metrics of one app over `client`.
 * @example const metrics = createMetrics(client, { collectionLabels: false }); await metrics.registry.metrics();
 */
export function createMetrics(client: CairnClient, options: MetricsOptions = {}): ServerMetrics {
  const registry = new Registry();
  const labelled = options.collectionLabels !== false;
  const requests = new Counter({
    name: "cairn_http_requests_total",
    help: "HTTP requests answered, by method, route template and status.",
    labelNames: ["method", "route", "status"] as const,
    registers: [registry],
  });
  const latency = new Histogram({
    name: "cairn_http_request_duration_seconds",
    help: "Time from receiving a request to its response, by method, route template and status.",
    labelNames: ["method", "route", "status"] as const,
    buckets: [...LATENCY_BUCKETS],
    registers: [registry],
  });
  const inFlight = new Gauge({
    name: "cairn_http_requests_in_flight",
    help: "HTTP requests being handled.",
    registers: [registry],
  });
  const tenants = new Set<string>([DEFAULT_TENANT]);
  const scrapeErrors = new Counter({
    name: "cairn_metrics_scrape_errors_total",
    help: "Scrapes that could not read the collection gauges from the database.",
    registers: [registry],
  });
  // Both collection gauges are filled from one read of the database per scrape.
  let pending: Promise<CollectionStat[]> | undefined;
  const readStats = () => {
    pending ??= collectionStats(client, tenants)
      .catch(() => {
        scrapeErrors.inc();
        return [] as CollectionStat[];
      })
      .finally(() => {
        setImmediate(() => {
          pending = undefined;
        });
      });
    return pending;
  };
  const collectionLabels = labelled ? (["tenant", "database", "collection"] as const) : ([] as const);
  const fill = async (gauge: Gauge<string>, value: (stat: CollectionStat) => number) => {
    const stats = await readStats();
    gauge.reset();
    if (!labelled) {
      gauge.set(stats.reduce((sum, stat) => sum + value(stat), 0));
      return;
    }
    for (const stat of stats)
      gauge.set({ tenant: stat.tenant, database: stat.database, collection: stat.collection }, value(stat));
  };
  new Gauge({
    name: "cairn_collection_records",
    help: labelled ? "Records per collection." : "Records in all collections.",
    labelNames: collectionLabels,
    registers: [registry],
    async collect() {
      await fill(this as Gauge<string>, (stat) => stat.records);
    },
  });
  new Gauge({
    name: "cairn_collection_vector_bytes",
    help: `Size of the stored vectors (records x dimension x 4 bytes) ${labelled ? "per collection" : "of all collections"}.`,
    labelNames: collectionLabels,
    registers: [registry],
    async collect() {
      await fill(this as Gauge<string>, (stat) => stat.vectorBytes);
    },
  });
  new Gauge({
    name: "cairn_collections",
    help: "Collections in the database (tenants the server has answered for, and default_tenant).",
    registers: [registry],
    async collect() {
      this.set((await readStats()).length);
    },
  });
  const databasePath = options.databasePath;
  if (databasePath !== undefined) {
    new Gauge({
      name: "cairn_wal_bytes",
      help: "Size of the database's write-ahead log file.",
      registers: [registry],
      collect() {
        this.set(walBytes(databasePath));
      },
    });
  }
  if (options.limiter) limiterMetrics(registry, options.limiter);
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    start(method) {
      const started = performance.now();
      inFlight.inc();
      return (route, status) => {
        inFlight.dec();
        const labels = { method, route, status: String(status) };
        requests.inc(labels);
        latency.observe(labels, (performance.now() - started) / 1000);
      };
    },
    noteTenant(tenant) {
      if (tenants.size < MAX_TRACKED_TENANTS) tenants.add(tenant);
    },
  };
}

/** The limiter's slots and queue as gauges and its refusals as counters, read at scrape time. */
function limiterMetrics(registry: Registry, stats: () => LimiterStats): void {
  new Gauge({
    name: "cairn_http_requests_active",
    help: "Requests holding one of the --max-concurrent slots.",
    registers: [registry],
    collect() {
      this.set(stats().active);
    },
  });
  new Gauge({
    name: "cairn_http_requests_queued",
    help: "Requests waiting for a slot (at most --max-queued).",
    registers: [registry],
    collect() {
      this.set(stats().queued);
    },
  });
  const counter = (name: string, help: string, value: (s: LimiterStats) => number) =>
    new Counter({
      name,
      help,
      registers: [registry],
      collect() {
        this.reset();
        this.inc(value(stats()));
      },
    });
  counter(
    "cairn_http_requests_rejected_total",
    "Requests answered 429 OVERLOADED (slots and queue full).",
    (s) => s.rejected,
  );
  counter(
    "cairn_http_requests_timed_out_total",
    "Requests whose deadline passed while they waited for a slot (answered 504 TIMEOUT).",
    (s) => s.timedOut,
  );
}
