// Cairn as a Chroma server: start `cairn run` in-process (startServer), then use the official `chromadb`
// client, unmodified, against it. Explicit embeddings keep the example offline (no model download).
// To run the server on its own instead: `npx cairn run --path ./cairn_db --port 8000`.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startServer } from "@cairndb/server";
import { ChromaClient } from "chromadb";

const dir = mkdtempSync(join(tmpdir(), "cairn-example-"));
const server = await startServer({ path: dir, port: 0 }); // port 0: any free port
console.log(`cairn server at ${server.url}`);

try {
  const client = new ChromaClient({ host: "127.0.0.1", port: server.port });
  // embeddingFunction: null → we pass vectors ourselves.
  const articles = await client.createCollection({ name: "articles", embeddingFunction: null });

  // Toy 3-d "embeddings": [databases, cooking, travel].
  await articles.add({
    ids: ["sqlite-wal", "hnsw-intro", "pasta", "lisbon"],
    embeddings: [
      [0.9, 0.1, 0.0],
      [0.8, 0.0, 0.2],
      [0.0, 1.0, 0.1],
      [0.1, 0.2, 0.9],
    ],
    documents: [
      "SQLite's write-ahead log lets readers and a writer work at the same time.",
      "HNSW builds a layered graph for fast approximate nearest-neighbour search.",
      "Cook the pasta in well-salted water until al dente.",
      "Lisbon's trams climb the hills of Alfama.",
    ],
    metadatas: [
      { topic: "databases", year: 2024 },
      { topic: "databases", year: 2021 },
      { topic: "cooking", year: 2023 },
      { topic: "travel", year: 2022 },
    ],
  });

  const result = await articles.query({
    queryEmbeddings: [[1.0, 0.0, 0.1]],
    nResults: 2,
    where: { $and: [{ topic: "databases" }, { year: { $gte: 2021 } }] },
  });
  console.log(`collection '${articles.name}': ${await articles.count()} records`);
  for (const hit of result.rows()[0]) {
    console.log(
      `${hit.distance.toFixed(4)}  ${hit.id}  [${hit.metadata.topic}, ${hit.metadata.year}]  ${hit.document}`,
    );
  }
} finally {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
}
