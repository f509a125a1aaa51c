/**
 * The compiled SQL selects exactly what core's reference evaluator accepts: random records are written through
 * the client, random `where` / `whereDocument` filters (core's arbitraries) are run as `get` filters, and the
 * ids must equal the evaluator's choice. Regular expressions are left to the conformance suite (Postgres'
 * regex dialect differs from RE2 in documented corners); NUL characters are excluded (PostgreSQL text cannot
 * hold them, and the client rejects them with INVALID_ARGUMENT).
 */
import {
  type Collection,
  evaluateWhere,
  evaluateWhereDocument,
  parseWhere,
  parseWhereDocument,
  type WhereDocument,
} from "@cairndb/core";
import { type FilterRecord, filterRecordArb, whereArb, whereDocumentArb } from "@cairndb/testing";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openClient } from "./harness";

const hasNul = (r: FilterRecord) =>
  (r.document ?? "").includes("\u0000") || JSON.stringify(r.metadata ?? {}).includes("\\u0000");

const usesRegex = (w: unknown): boolean =>
  JSON.stringify(w).includes('"$regex"') || JSON.stringify(w).includes('"$not_regex"');

describe("PostgresClient (PGlite): compiled filters agree with the reference evaluator", () => {
  let env: Awaited<ReturnType<typeof openClient>>;
  let col: Collection;
  let records: FilterRecord[];
  beforeAll(async () => {
    env = await openClient("pglite");
    col = await env.client.createCollection({ name: "prop", embeddingFunction: null });
    records = fc
      .sample(filterRecordArb, { numRuns: 200, seed: 13 })
      .filter((r) => !hasNul(r))
      .slice(0, 120);
    await col.add({
      ids: records.map((_, i) => `r${i}`),
      embeddings: records.map((_, i) => [i, 1]),
      documents: records.map((r) => r.document),
      metadatas: records.map((r) => r.metadata),
    });
  });
  afterAll(async () => env.cleanup());

  const expected = (accept: (r: FilterRecord) => boolean) =>
    records.flatMap((r, i) => (accept(r) ? [`r${i}`] : []));

  it("where", async () => {
    await fc.assert(
      fc.asyncProperty(whereArb(), async (where) => {
        const ast = parseWhere(where);
        const got = (await col.get({ where, include: [] })).ids;
        expect(got).toEqual(expected((r) => evaluateWhere(ast, r.metadata)));
      }),
      { numRuns: 150, seed: 13 },
    );
  });

  it("whereDocument ($contains / $not_contains trees)", async () => {
    await fc.assert(
      fc.asyncProperty(
        whereDocumentArb().filter((w) => !usesRegex(w)),
        async (whereDocument: WhereDocument) => {
          const ast = parseWhereDocument(whereDocument);
          const got = (await col.get({ whereDocument, include: [] })).ids;
          expect(got).toEqual(expected((r) => evaluateWhereDocument(ast, r.document)));
        },
      ),
      { numRuns: 100, seed: 13 },
    );
  });
});
