/**
 * Model-based test: random sequences of add / upsert / update / delete / get / query / count / reopen — and
 * the write options (add ignoring duplicates, replacing upsert, update with `null` embeddings, batches with
 * one bad record) — run against a real client and a plain in-memory model; every observable result must agree.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type CairnClient,
  type Collection,
  EphemeralClient,
  evaluateWhere,
  type Metadata,
  PersistentClient,
  parseWhere,
  type UpdateMetadata,
  type Where,
} from "@cairndb/core";
import { metadataArb, whereArb } from "@cairndb/testing";
import fc from "fast-check";
import { describe, expect, it } from "vitest";

interface ModelRecord {
  embedding: number[];
  document: string | null;
  metadata: Metadata | null;
}
type Model = Map<string, ModelRecord>;
interface Real {
  client: CairnClient;
  col: Collection;
  reopen?: () => Promise<void>;
}

const DIM = 4;
const idArb = fc.constantFrom("a", "b", "c", "é", "__proto__");
const vectorArb = fc.array(
  fc.integer({ min: -8, max: 8 }).map((x) => x / 4),
  { minLength: DIM, maxLength: DIM },
);
const docArb = fc.option(fc.constantFrom("alpha", "beta gamma", "Gamma ray", "delta"), { nil: null });
const batchArb = fc.uniqueArray(idArb, { minLength: 1, maxLength: 4 }).chain((ids) =>
  fc.record({
    ids: fc.constant(ids),
    embeddings: fc.array(vectorArb, { minLength: ids.length, maxLength: ids.length }),
    documents: fc.array(docArb, { minLength: ids.length, maxLength: ids.length }),
    metadatas: fc.array(fc.option(metadataArb, { nil: null }), {
      minLength: ids.length,
      maxLength: ids.length,
    }),
  }),
);
const updateMetaArb: fc.Arbitrary<UpdateMetadata | null> = fc.option(
  fc.dictionary(
    fc.constantFrom("a", "b", "year", "tags", "__proto__"),
    fc.option(fc.oneof(fc.integer({ min: -3, max: 3 }), fc.constantFrom("x", "abc")), { nil: null }),
    { maxKeys: 3 },
  ),
  { nil: null },
);

const sq = (a: number[], b: number[]) => a.reduce((s, x, i) => s + (x - b[i]!) ** 2, 0);
const clean = (m: Metadata | null): Metadata | null => (m && Object.keys(m).length > 0 ? { ...m } : null);

function merge(stored: Metadata | null, update: UpdateMetadata | null): Metadata | null {
  if (update === null) return stored;
  const out: Metadata = Object.assign(Object.create(null), stored ?? {});
  for (const [k, v] of Object.entries(update)) {
    if (v === null) delete out[k];
    else out[k] = v;
  }
  return clean(out);
}

async function rejectsWith(p: Promise<unknown>, code: string): Promise<void> {
  await expect(p).rejects.toMatchObject({ code });
}

type Cmd = fc.AsyncCommand<Model, Real>;
const cmd = (
  name: string,
  run: (m: Model, r: Real) => Promise<void>,
  check: (m: Model) => boolean = () => true,
): Cmd => ({
  check: (m) => check(m as Model),
  run: (m, r) => run(m as Model, r as Real),
  toString: () => name,
});

interface Batch {
  ids: string[];
  embeddings: number[][];
  documents: (string | null)[];
  metadatas: (Metadata | null)[];
}

const addCmd = (b: Batch) =>
  cmd(`add(${JSON.stringify(b.ids)})`, async (m, r) => {
    if (b.ids.some((id) => m.has(id))) {
      await rejectsWith(r.col.add(b), "DUPLICATE_ID");
      return;
    }
    await r.col.add(b);
    b.ids.forEach((id, i) => {
      m.set(id, { embedding: b.embeddings[i]!, document: b.documents[i]!, metadata: clean(b.metadatas[i]!) });
    });
  });

const upsertCmd = (b: Batch) =>
  cmd(`upsert(${JSON.stringify(b.ids)})`, async (m, r) => {
    await r.col.upsert(b);
    b.ids.forEach((id, i) => {
      const old = m.get(id);
      const rec = {
        embedding: b.embeddings[i]!,
        document: b.documents[i] ?? old?.document ?? null,
        metadata: old ? merge(old.metadata, b.metadatas[i]!) : clean(b.metadatas[i]!),
      };
      m.set(id, rec); // Map.set keeps the position of an existing key, like the database
    });
  });

const updateCmd = (id: string, metadata: UpdateMetadata | null, embedding: number[] | null) =>
  cmd(`update(${id})`, async (m, r) => {
    const input = { ids: [id], metadatas: [metadata], ...(embedding ? { embeddings: [embedding] } : {}) };
    const old = m.get(id);
    if (!old) {
      await rejectsWith(r.col.update(input), "NOT_FOUND");
      return;
    }
    await r.col.update(input);
    m.set(id, { ...old, embedding: embedding ?? old.embedding, metadata: merge(old.metadata, metadata) });
  });

const addIgnoreCmd = (b: Batch) =>
  cmd(`add(${JSON.stringify(b.ids)}, { onDuplicate: "ignore" })`, async (m, r) => {
    await r.col.add(b, { onDuplicate: "ignore" });
    b.ids.forEach((id, i) => {
      if (m.has(id)) return; // existing records stay exactly as they are
      m.set(id, { embedding: b.embeddings[i]!, document: b.documents[i]!, metadata: clean(b.metadatas[i]!) });
    });
  });

const upsertReplaceCmd = (b: Batch, metadatas: (UpdateMetadata | null)[]) =>
  cmd(`upsert(${JSON.stringify(b.ids)}, { metadata: "replace" })`, async (m, r) => {
    await r.col.upsert({ ...b, metadatas }, { metadata: "replace" });
    b.ids.forEach((id, i) => {
      const old = m.get(id);
      const given = metadatas[i] ?? null;
      // Replace: exactly the given keys (a null value means "absent"); nothing of the stored map survives.
      const metadata = given
        ? clean(Object.fromEntries(Object.entries(given).filter(([, v]) => v !== null)) as Metadata)
        : null;
      m.set(id, { embedding: b.embeddings[i]!, document: b.documents[i] ?? old?.document ?? null, metadata });
    });
  });

/** A multi-record update whose `embeddings` may hold `null` ("keep this vector"); one missing id fails all. */
const updateManyCmd = (
  ids: string[],
  embeddings: (number[] | null)[],
  metadatas: (UpdateMetadata | null)[],
) =>
  cmd(
    `update(${JSON.stringify(ids)}, ${JSON.stringify(embeddings.map((e) => (e ? "v" : null)))})`,
    async (m, r) => {
      const input = { ids, embeddings, metadatas };
      if (ids.some((id) => !m.has(id))) {
        await rejectsWith(r.col.update(input), "NOT_FOUND");
        return;
      }
      await r.col.update(input);
      ids.forEach((id, i) => {
        const old = m.get(id)!;
        m.set(id, {
          ...old,
          embedding: embeddings[i] ?? old.embedding,
          metadata: merge(old.metadata, metadatas[i]!),
        });
      });
    },
  );

/** A batch with one vector of the wrong dimension: nothing of it is written, whatever the write options. */
const invalidBatchCmd = (b: Batch, verb: "add-ignore" | "upsert-replace" | "update") =>
  cmd(`${verb}(${JSON.stringify(b.ids)}) with a bad vector`, async (_m, r) => {
    const embeddings = b.embeddings.map((e, i) => (i === b.ids.length - 1 ? e.slice(1) : e));
    const batch = { ...b, embeddings };
    const attempt =
      verb === "add-ignore"
        ? r.col.add(batch, { onDuplicate: "ignore" })
        : verb === "upsert-replace"
          ? r.col.upsert(batch, { metadata: "replace" })
          : r.col.update(batch);
    await rejectsWith(attempt, "DIMENSION_MISMATCH");
  });

const deleteCmd = (ids: string[] | null, where: Where | null) =>
  cmd(`delete(${JSON.stringify(ids)}, ${JSON.stringify(where)})`, async (m, r) => {
    const ast = where ? parseWhere(where) : null;
    const doomed = [...m.entries()]
      .filter(([id, rec]) => (!ids || ids.includes(id)) && (!ast || evaluateWhere(ast, rec.metadata)))
      .map(([id]) => id);
    const result = await r.col.delete({ ...(ids ? { ids } : {}), ...(where ? { where } : {}) });
    expect(result.deleted).toBe(ids || where ? doomed.length : 0);
    if (ids || where) for (const id of doomed) m.delete(id);
  });

const getCmd = (where: Where | null) =>
  cmd(`get(${JSON.stringify(where)})`, async (m, r) => {
    const ast = where ? parseWhere(where) : null;
    const expected = [...m.entries()].filter(([, rec]) => !ast || evaluateWhere(ast, rec.metadata));
    const got = await r.col.get({
      ...(where ? { where } : {}),
      include: ["documents", "metadatas", "embeddings"],
    });
    expect(got.ids).toEqual(expected.map(([id]) => id));
    expect(got.documents).toEqual(expected.map(([, rec]) => rec.document));
    expect(got.metadatas).toEqual(expected.map(([, rec]) => rec.metadata));
    expect(got.embeddings).toEqual(expected.map(([, rec]) => rec.embedding));
    expect(await r.col.count()).toBe(m.size);
  });

const queryCmd = (vector: number[], k: number, where: Where | null) =>
  cmd(`query(${JSON.stringify(vector)}, ${k}, ${JSON.stringify(where)})`, async (m, r) => {
    const ast = where ? parseWhere(where) : null;
    const candidates = [...m.entries()].filter(([, rec]) => !ast || evaluateWhere(ast, rec.metadata));
    const distances = candidates
      .map(([id, rec]) => ({ id, d: Math.fround(sq(vector, rec.embedding)) }))
      .sort((x, y) => x.d - y.d);
    const got = await r.col.query({
      queryEmbeddings: [vector],
      nResults: k,
      ...(where ? { where } : {}),
      include: ["distances"],
    });
    const expectedTop = distances.slice(0, k);
    expect(got.ids[0]).toHaveLength(expectedTop.length);
    // Ties may come back in any order: compare distances, and ids only where the distance is unique.
    got.distances[0]!.forEach((d, i) => {
      expect(d).toBeCloseTo(expectedTop[i]!.d, 4);
    });
    const cutoff = expectedTop.at(-1)?.d;
    for (const id of got.ids[0]!)
      expect(distances.find((x) => x.id === id)!.d).toBeLessThanOrEqual((cutoff ?? 0) + 1e-5);
  });

const reopenCmd = cmd("reopen", async (_m, r) => {
  await r.reopen?.();
});

const commands = [
  batchArb.map(addCmd),
  batchArb.map(upsertCmd),
  fc
    .tuple(idArb, updateMetaArb, fc.option(vectorArb, { nil: null }))
    .map(([id, meta, v]) => updateCmd(id, meta, v)),
  batchArb.map(addIgnoreCmd),
  batchArb
    .chain((b) =>
      fc.tuple(fc.constant(b), fc.array(updateMetaArb, { minLength: b.ids.length, maxLength: b.ids.length })),
    )
    .map(([b, metas]) => upsertReplaceCmd(b, metas)),
  fc
    .uniqueArray(idArb, { minLength: 1, maxLength: 3 })
    .chain((ids) =>
      fc
        .tuple(
          fc.array(fc.option(vectorArb, { nil: null }), { minLength: ids.length, maxLength: ids.length }),
          fc.array(updateMetaArb, { minLength: ids.length, maxLength: ids.length }),
        )
        .map(([embeddings, metas]) => updateManyCmd(ids, embeddings, metas)),
    ),
  fc
    .tuple(
      batchArb.filter((b) => b.ids.length > 1),
      fc.constantFrom("add-ignore", "upsert-replace", "update") as fc.Arbitrary<
        "add-ignore" | "upsert-replace" | "update"
      >,
    )
    .map(([b, verb]) => invalidBatchCmd(b, verb)),
  fc
    .tuple(
      fc.option(fc.uniqueArray(idArb, { minLength: 1, maxLength: 3 }), { nil: null }),
      fc.option(whereArb({ maxDepth: 2 }), { nil: null }),
    )
    .map(([ids, w]) => deleteCmd(ids, w)),
  fc.option(whereArb({ maxDepth: 2 }), { nil: null }).map(getCmd),
  fc
    .tuple(vectorArb, fc.integer({ min: 1, max: 6 }), fc.option(whereArb({ maxDepth: 1 }), { nil: null }))
    .map(([v, k, w]) => queryCmd(v, k, w)),
  fc.constant(reopenCmd),
];

async function setup(persistent: boolean): Promise<{ real: Real; cleanup: () => Promise<void> }> {
  const dir = persistent ? mkdtempSync(join(tmpdir(), "cairn-model-")) : null;
  const open = async () => {
    const client = dir ? new PersistentClient({ path: dir }) : new EphemeralClient();
    const col = await client.getOrCreateCollection({
      name: "model",
      embeddingFunction: null,
      configuration: { hnsw: { space: "l2" } },
    });
    return { client, col };
  };
  const real: Real = await open();
  if (dir) {
    real.reopen = async () => {
      await real.client.close();
      Object.assign(real, await open());
    };
  }
  return {
    real,
    cleanup: async () => {
      await real.client.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

describe("model-based: the database behaves like a plain in-memory model", () => {
  for (const persistent of [false, true]) {
    it(persistent ? "PersistentClient (with reopen)" : "EphemeralClient", async () => {
      await fc.assert(
        fc.asyncProperty(fc.commands(commands, { maxCommands: 40, size: "large" }), async (cmds) => {
          const { real, cleanup } = await setup(persistent);
          try {
            await fc.asyncModelRun(() => ({ model: new Map() as Model, real }), cmds);
          } finally {
            await cleanup();
          }
        }),
        { numRuns: persistent ? 40 : 80, seed: 20261121 },
      );
    });
  }
});
