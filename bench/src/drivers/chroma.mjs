/**
 * Real Chroma 1.0.0: the server shipped in the `chromadb` package's native binding, started with its CLI
 * (`chroma run --path <dir> --port <port>`) in its own process, driven by the official `chromadb` client.
 * Collection: cosine, M 16, ef_construction 100, ef_search 100 (the same parameters as Cairn's defaults).
 */
import { spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { ChromaClient } from "chromadb";
import { indexOfId } from "../data/records.mjs";
import { folderBytes, peakRssOf } from "../metrics/proc.mjs";
import { QUERY_INCLUDE } from "./cairn-embedded.mjs";
import { freePort, settledIo, stopProcess, waitForHttp } from "./spawn-util.mjs";

export const kind = "server";

/** Chroma's preflight max_batch_size on this build; every batch the bench sends (1,000) is below it. */
export const MAX_BATCH_SIZE = 5461;

/** Bytes of the HNSW segment files (everything but the SQLite database and its WAL). */
export const indexBytes = (dir) =>
  folderBytes(dir) -
  ["chroma.sqlite3", "chroma.sqlite3-wal", "chroma.sqlite3-shm"].reduce(
    (sum, f) => sum + folderBytes(join(dir, f)),
    0,
  );

const CLI = join(dirname(fileURLToPath(import.meta.resolve("chromadb"))), "cli.mjs");

/** Starts `chroma run` on a free port; resolves when its heartbeat answers. */
export async function startChroma(dir) {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [CLI, "run", "--path", dir, "--host", "127.0.0.1", "--port", String(port)],
    {
      stdio: ["ignore", "ignore", "pipe"],
    },
  );
  let stderr = "";
  child.stderr.on("data", (chunk) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  try {
    await waitForHttp(`http://127.0.0.1:${port}/api/v2/heartbeat`, child);
  } catch (error) {
    await stopProcess(child, "SIGKILL");
    throw new Error(`${error.message}\n${stderr}`);
  }
  return { port, child };
}

async function connect(ctx, fresh) {
  const { port, child } = await startChroma(ctx.dir);
  const client = new ChromaClient({ host: "127.0.0.1", port, ssl: false });
  const { efConstruction = 100, maxNeighbors = 16, efSearch = 100 } = ctx.params ?? {};
  const hnsw = {
    space: "cosine",
    ef_construction: efConstruction,
    ef_search: efSearch,
    max_neighbors: maxNeighbors,
  };
  const collection = fresh
    ? await client.createCollection({ name: "bench", embeddingFunction: null, configuration: { hnsw } })
    : await client.getCollection({ name: "bench" });
  return { child, collection };
}

export async function open(ctx) {
  let { child, collection } = await connect(ctx, ctx.fresh);
  // VmHWM is per process: keep the peak of servers stopped by a restart.
  let earlierPeak = 0;
  const stop = async () => {
    earlierPeak = Math.max(earlierPeak, peakRssOf(child.pid) ?? 0);
    const io = await settledIo(child.pid);
    await stopProcess(child, "SIGINT");
    return io;
  };
  return {
    async ingest(batch) {
      if (batch.ids.length > MAX_BATCH_SIZE)
        throw new Error(`batch of ${batch.ids.length} exceeds Chroma's max_batch_size`);
      const embeddings = batch.vectors.map((v) => Array.from(v));
      await collection.add({
        ids: batch.ids,
        embeddings,
        metadatas: batch.metadatas,
        documents: batch.documents,
      });
    },
    async persist() {},
    async query(vector, k, filter) {
      const result = await collection.query({
        queryEmbeddings: [Array.from(vector)],
        nResults: k,
        where: filter?.where,
        include: QUERY_INCLUDE,
      });
      return result.ids[0].map(indexOfId);
    },
    // Chroma 1.0.0 stores a modified ef_search but its running segment keeps the old one (measured: recall did
    // not move until a restart), so the sweep restarts the server after each change.
    async setEf(ef) {
      await collection.modify({ configuration: { hnsw: { ef_search: ef } } });
      await stop();
      ({ child, collection } = await connect(ctx, false));
    },
    dataPid: () => child.pid,
    peakRss: () => Math.max(earlierPeak, peakRssOf(child.pid) ?? 0),
    close: stop,
  };
}
