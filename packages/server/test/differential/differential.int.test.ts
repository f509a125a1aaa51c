/**
 * Differential test: the same seeded random operation sequences, through the official chromadb client, against
 * the REAL Chroma 1.0.0 server and against `cairn run`. Results must agree on ids, documents, metadatas,
 * ordering and distances (float32 tolerance, ties in any order). The generator stays clear of Cairn's
 * deliberate differences (see arbitraries.ts / driver.ts, each named where it is avoided).
 */
import { ChromaClient } from "chromadb";
import fc from "fast-check";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type CairnProcess, type ChromaProcess, spawnCairn, spawnChroma, tempDir } from "../helpers";
import { sequenceArb } from "./arbitraries";
import { runSequence, type Stats } from "./driver";

// Bounded for CI; raise locally with CAIRN_DIFF_SEQUENCES / CAIRN_DIFF_SEED to search further.
const SEQUENCES = Number(process.env.CAIRN_DIFF_SEQUENCES ?? 20);
const OPS_PER_SEQUENCE = 15;
const SEED = Number(process.env.CAIRN_DIFF_SEED ?? 20_261_121);

let chroma: ChromaProcess;
let cairn: CairnProcess;
const dirs = [tempDir("chroma-oracle-"), tempDir("cairn-diff-")];

beforeAll(async () => {
  [chroma, cairn] = await Promise.all([
    spawnChroma(dirs[0]!.dir),
    spawnCairn(dirs[1]!.dir, ["--log-level", "warn"]),
  ]);
}, 60_000);

afterAll(async () => {
  await Promise.all([chroma?.stop(), cairn?.stop()]);
  for (const d of dirs) d.remove();
});

it(`agrees with Chroma 1.0 on ${SEQUENCES} random sequences × ${OPS_PER_SEQUENCE} operations`, {
  timeout: 240_000,
}, async () => {
  const clients: [ChromaClient, ChromaClient] = [
    new ChromaClient({ host: "127.0.0.1", port: chroma.port }),
    new ChromaClient({ host: "127.0.0.1", port: cairn.port }),
  ];
  const stats: Stats = {
    sequences: 0,
    ops: 0,
    writes: 0,
    gets: 0,
    queries: 0,
    stateChecks: 0,
    differences: [],
  };
  await fc.assert(
    fc.asyncProperty(sequenceArb(OPS_PER_SEQUENCE), async (seq) => {
      stats.sequences++;
      await runSequence(clients, `diff-${stats.sequences}`, seq, stats);
    }),
    { numRuns: SEQUENCES, seed: SEED, endOnFailure: true },
  );
  const { differences, ...counts } = stats;
  console.log(`differential vs Chroma 1.0.0: ${JSON.stringify(counts)}, differences: ${differences.length}`);
  expect(differences.slice(0, 20)).toEqual([]);
  expect(stats.sequences).toBe(SEQUENCES);
  expect(stats.queries).toBeGreaterThan(0);
});
