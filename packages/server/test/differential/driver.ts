/**
 * Runs one operation sequence through the chromadb client against two servers (real Chroma and Cairn) and
 * records every disagreement: outcomes, get results (exact order), query results (distances within float32
 * tolerance, ties in any order), and the full collection state after each write.
 */
import type { ChromaClient, Collection, GetResult, QueryResult, Where, WhereDocument } from "chromadb";
import type { Filter, Op, RecordSpec, Space } from "./arbitraries";

/** Counters printed at the end of the run. */
export interface Stats {
  sequences: number;
  ops: number;
  writes: number;
  gets: number;
  queries: number;
  stateChecks: number;
  differences: string[];
}

interface Ids {
  live: string[];
  deleted: string[];
  next: number;
}

const TOL = 1e-4;
const close = (a: number, b: number) => Math.abs(a - b) <= TOL * Math.max(1, Math.abs(a), Math.abs(b));
/** JSON with sorted object keys: Chroma returns metadata keys in hash-map order. */
const json = (v: unknown): string =>
  JSON.stringify(v, (_key, value: unknown) =>
    value && typeof value === "object" && !Array.isArray(value)
      ? Object.fromEntries(
          Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)),
        )
      : value,
  );

function distance(space: Space, a: number[], b: number[]): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  let l2 = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
    l2 += (a[i]! - b[i]!) ** 2;
  }
  if (space === "l2") return l2;
  if (space === "ip") return 1 - dot;
  return 1 - dot / Math.sqrt(na * nb);
}

const unique = <T>(items: T[]) => [...new Set(items)];

/** Resolves each record's `pick` to an id; duplicates inside one batch are dropped (the client rejects them). */
function resolveRecords(
  records: RecordSpec[],
  choose: (pick: number) => string,
): { ids: string[]; records: RecordSpec[] } {
  const seen = new Set<string>();
  const out: { ids: string[]; records: RecordSpec[] } = { ids: [], records: [] };
  for (const r of records) {
    const id = choose(r.pick);
    if (seen.has(id)) continue;
    seen.add(id);
    out.ids.push(id);
    out.records.push(r);
  }
  return out;
}

function newId(ids: Ids): string {
  return `r${ids.next++}`;
}

type Call = (col: Collection) => Promise<unknown>;

/** The chromadb call(s) of a write op, or null when there is nothing to do (e.g. update with no live ids). */
function writeCall(op: Extract<Op, { kind: "add" | "upsert" | "update" | "delete" }>, ids: Ids): Call | null {
  if (op.kind === "add") {
    // Only new or deleted ids: Chroma 1.0 silently ignores an existing id, Cairn rejects the batch (409).
    const batch = resolveRecords(op.records, (pick) =>
      op.reviveDeleted && ids.deleted.length > 0 ? ids.deleted[pick % ids.deleted.length]! : newId(ids),
    );
    return (col) =>
      col.add({
        ids: batch.ids,
        embeddings: batch.records.map((r) => r.vector),
        documents: batch.records.map((r) => r.document) as string[],
        metadatas: batch.records.map((r) => r.metadata) as never,
        uris: batch.records.map((r) => r.uri) as string[],
      });
  }
  if (op.kind === "upsert") {
    const batch = resolveRecords(op.records, (pick) =>
      pick % (ids.live.length + 2) < ids.live.length ? ids.live[pick % (ids.live.length + 2)]! : newId(ids),
    );
    return (col) =>
      col.upsert({
        ids: batch.ids,
        embeddings: batch.records.map((r) => r.vector),
        documents: op.withDocuments ? (batch.records.map((r) => r.document) as string[]) : undefined,
        metadatas: batch.records.map((r) => r.metadata) as never,
        uris: op.withDocuments ? (batch.records.map((r) => r.uri) as string[]) : undefined,
      });
  }
  if (op.kind === "update") {
    // Only live ids: Chroma 1.0 silently ignores a missing id, Cairn rejects the batch (404).
    if (ids.live.length === 0) return null;
    const batch = resolveRecords(op.records, (pick) => ids.live[pick % ids.live.length]!);
    const vectors = op.fields !== "metadatas";
    return (col) =>
      col.update({
        ids: batch.ids,
        embeddings: vectors ? batch.records.map((r) => r.vector) : undefined,
        documents: vectors ? (batch.records.map((r) => r.document) as string[]) : undefined,
        metadatas:
          op.fields !== "vectors+documents" ? (batch.records.map((r) => r.metadata) as never) : undefined,
        uris: op.fields === "all" ? (batch.records.map((r) => r.uri) as string[]) : undefined,
      });
  }
  const pool = [...ids.live, ...ids.deleted, "never-existed"];
  const selected = op.where ? undefined : unique(op.picks.map((p) => pool[p % pool.length]!));
  return (col) => col.delete({ ids: selected, where: (op.where ?? undefined) as Where | undefined });
}

/**
 * Chroma 1.0 keeps a record's uri inside its metadata map; a record with a uri and no metadata then comes back
 * as `{}` where Cairn (and Chroma without a uri) answer `null`. The comparison treats the two alike.
 */
const sameMetadata = (x: unknown, y: unknown) => {
  const empty = (m: unknown) =>
    m === null || m === undefined || (typeof m === "object" && Object.keys(m as object).length === 0);
  return (empty(x) && empty(y)) || json(x) === json(y);
};

function compareGet(label: string, a: GetResult, b: GetResult, stats: Stats): void {
  if (json(a.ids) !== json(b.ids)) {
    stats.differences.push(`${label}: ids ${json(a.ids)} (chroma) vs ${json(b.ids)} (cairn)`);
    return;
  }
  for (const field of ["include", "documents", "uris"] as const) {
    if (json(a[field]) !== json(b[field]))
      stats.differences.push(`${label}: ${field} ${json(a[field])} vs ${json(b[field])}`);
  }
  if (
    a.metadatas.length !== b.metadatas.length ||
    a.metadatas.some((m, i) => !sameMetadata(m, b.metadatas[i]))
  ) {
    stats.differences.push(`${label}: metadatas ${json(a.metadatas)} vs ${json(b.metadatas)}`);
  }
  a.embeddings.forEach((v, i) => {
    if (!v.every((x, j) => close(x, b.embeddings[i]?.[j] ?? Number.NaN))) {
      stats.differences.push(`${label}: embedding of ${a.ids[i]} ${json(v)} vs ${json(b.embeddings[i])}`);
    }
  });
}

function compareQueryRow(
  label: string,
  q: number[],
  a: QueryResult,
  b: QueryResult,
  row: number,
  ctx: QueryContext,
): void {
  const [ia, ib] = [a.ids[row] ?? [], b.ids[row] ?? []];
  const diff = (what: string) => ctx.stats.differences.push(`${label} row ${row}: ${what}`);
  if (json(a.include) !== json(b.include)) diff(`include ${json(a.include)} vs ${json(b.include)}`);
  if (ia.length !== ib.length)
    return void diff(`${ia.length} hits (chroma) vs ${ib.length} (cairn): ${json(ia)} vs ${json(ib)}`);
  // Without `distances` in include, the true distances (from the stored vectors) order the comparison.
  const truth = (id: string) => {
    const v = ctx.vectors.get(id);
    return v ? distance(ctx.space, q, v) : Number.NaN;
  };
  const withDistances = a.include.includes("distances");
  const da = withDistances ? (a.distances[row] ?? []) : ia.map(truth);
  const db = withDistances ? (b.distances[row] ?? []) : ib.map(truth);
  da.forEach((d, i) => {
    if (!close(d ?? Number.NaN, db[i] ?? Number.NaN)) diff(`distance[${i}] ${d} vs ${db[i]}`);
  });
  const last = da[da.length - 1] ?? 0;
  // Ties at the cut-off may be broken differently; every hit strictly closer than the last must be in both.
  const strict = (ids: string[], ds: (number | null)[]) =>
    ids.filter((_, i) => (ds[i] ?? 0) < last - TOL * Math.max(1, Math.abs(last))).sort();
  if (json(strict(ia, da)) !== json(strict(ib, db))) diff(`hits ${json(ia)} vs ${json(ib)}`);
  ib.forEach((id, i) => {
    if (!close(truth(id), db[i] ?? Number.NaN))
      diff(`cairn's distance of ${id} is ${db[i]}, expected ${truth(id)}`);
    const j = ia.indexOf(id);
    if (j < 0) return;
    for (const field of ["metadatas", "documents", "uris", "embeddings"] as const) {
      const [x, y] = [a[field][row]?.[j], b[field][row]?.[i]];
      const same =
        field === "embeddings"
          ? // Chroma 1.0 returns query-hit vectors from its index (cosine: renormalised, -2 → -1.9999999).
            (x as number[] | undefined)?.length === (y as number[] | undefined)?.length &&
            ((x as number[] | undefined) ?? []).every((v, k) => close(v, (y as number[])[k]!))
          : field === "metadatas"
            ? sameMetadata(x, y)
            : json(x) === json(y);
      if (!same) diff(`${field} of ${id}: ${json(x)} vs ${json(y)}`);
    }
  });
}

interface QueryContext {
  space: Space;
  vectors: Map<string, number[]>;
  stats: Stats;
}

/** Both outcomes: values, or the error class name. */
async function both<T>(
  cols: [Collection, Collection],
  call: (c: Collection) => Promise<T>,
): Promise<[T | Error, T | Error]> {
  const settle = (c: Collection) =>
    call(c).catch((e: unknown) => (e instanceof Error ? e : new Error(String(e))));
  return [await settle(cols[0]), await settle(cols[1])];
}

const filters = (op: { where: Filter | null; whereDocument: Filter | null }) => ({
  where: (op.where ?? undefined) as Where | undefined,
  whereDocument: (op.whereDocument ?? undefined) as WhereDocument | undefined,
});

const outcome = (v: unknown) => (v instanceof Error ? `${v.name}: ${v.message}` : "ok");

/** A get on both; results must be identical (order included). */
async function runGet(
  cols: [Collection, Collection],
  op: Extract<Op, { kind: "get" }>,
  ids: Ids,
  label: string,
  stats: Stats,
) {
  const pool = [...ids.live, ...ids.deleted];
  const picks = op.picks && pool.length > 0 ? unique(op.picks.map((p) => pool[p % pool.length]!)) : undefined;
  const include = (op.include ?? undefined) as never;
  const args = {
    ids: picks,
    ...filters(op),
    limit: op.limit ?? undefined,
    offset: op.offset ?? undefined,
    include,
  };
  const [a, b] = await both(cols, (c) => c.get(args));
  stats.gets++;
  if (a instanceof Error || b instanceof Error)
    stats.differences.push(`${label}: ${outcome(a)} vs ${outcome(b)}`);
  else compareGet(label, a, b, stats);
}

/** A query on both; rows must agree modulo ties. */
async function runQuery(
  cols: [Collection, Collection],
  op: Extract<Op, { kind: "query" }>,
  ids: Ids,
  label: string,
  ctx: QueryContext,
) {
  // Only live ids: Chroma 1.0 answers 500 when `ids` names a missing record.
  const picks =
    op.picks && ids.live.length > 0 ? unique(op.picks.map((p) => ids.live[p % ids.live.length]!)) : undefined;
  const [a, b] = await both(cols, (c) =>
    c.query({
      queryEmbeddings: op.vectors,
      nResults: op.nResults,
      ids: picks,
      ...filters(op),
      include: (op.include ?? undefined) as never,
    }),
  );
  ctx.stats.queries++;
  if (a instanceof Error || b instanceof Error)
    ctx.stats.differences.push(`${label}: ${outcome(a)} vs ${outcome(b)}`);
  else for (const [row, q] of op.vectors.entries()) compareQueryRow(label, q, a, b, row, ctx);
}

/** A write on both (same outcome expected), then the whole collection compared. */
async function runWrite(
  cols: [Collection, Collection],
  op: Parameters<typeof writeCall>[0],
  ids: Ids,
  label: string,
  ctx: QueryContext,
) {
  const call = writeCall(op, ids);
  if (!call) return;
  const [a, b] = await both(cols, call);
  ctx.stats.writes++;
  if (
    a instanceof Error !== b instanceof Error ||
    (a instanceof Error && b instanceof Error && a.name !== b.name)
  ) {
    ctx.stats.differences.push(`${label}: ${outcome(a)} (chroma) vs ${outcome(b)} (cairn)`);
  }
  // Return values are not compared: Chroma 1.0 answers delete with `{}` (the client reports 0), Cairn the count.
  const include = ["documents", "metadatas", "embeddings", "uris"] as never;
  const [sa, sb] = await both(cols, (c) => c.get({ include }));
  ctx.stats.stateChecks++;
  if (sa instanceof Error || sb instanceof Error) throw sa instanceof Error ? sa : sb;
  compareGet(`${label} → state`, sa, sb, ctx.stats);
  const all = new Set([...ids.live, ...ids.deleted, ...sa.ids]);
  ids.live = sa.ids;
  ids.deleted = [...all].filter((id) => !sa.ids.includes(id));
  ctx.vectors = new Map(sa.ids.map((id, j) => [id, sa.embeddings[j]!]));
}

/** Runs one sequence against both servers; disagreements go to `stats.differences`. */
export async function runSequence(
  clients: [ChromaClient, ChromaClient],
  name: string,
  seq: { space: Space; seed: RecordSpec[]; ops: Op[] },
  stats: Stats,
): Promise<void> {
  const create = (c: ChromaClient) =>
    c.createCollection({ name, configuration: { hnsw: { space: seq.space } }, embeddingFunction: null });
  const cols = [await create(clients[0]), await create(clients[1])] as [Collection, Collection];
  const ids: Ids = { live: [], deleted: [], next: 0 };
  const ctx: QueryContext = { space: seq.space, vectors: new Map(), stats };
  const ops: Op[] = [{ kind: "add", records: seq.seed, reviveDeleted: false }, ...seq.ops];
  for (const [i, op] of ops.entries()) {
    const label = `${name} op#${i} ${json(op)}`;
    stats.ops++;
    if (op.kind === "get") await runGet(cols, op, ids, label, stats);
    else if (op.kind === "query") await runQuery(cols, op, ids, label, ctx);
    else await runWrite(cols, op, ids, label, ctx);
  }
  await Promise.all(clients.map((c) => c.deleteCollection({ name })));
}
