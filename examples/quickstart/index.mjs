// Cairn quick start: a persistent collection, documents with metadata, a filtered semantic query.
// Runs offline: HashEmbeddingFunction needs no model download. For real semantic search, drop the
// `embeddingFunction` line (the default all-MiniLM-L6-v2 model) or use OpenAIEmbeddingFunction.
import { HashEmbeddingFunction, PersistentClient } from "@cairndb/core";

const path = process.env.CAIRN_QUICKSTART_PATH ?? "./cairn_db";
const client = new PersistentClient({ path });
const docs = await client.getOrCreateCollection({
  name: "my_docs",
  embeddingFunction: new HashEmbeddingFunction(),
});

// upsert, so running the example twice does not fail on existing ids (add() would reject them).
await docs.upsert({
  ids: ["doc-1", "doc-2", "doc-3", "doc-4"],
  documents: [
    "To return a product, open your orders page and choose Return item within 30 days.",
    "Our 2020 blog post about how we pack products for shipping.",
    "Refunds reach your card 5 to 10 days after we receive the returned product.",
    "Gift cards cannot be returned or exchanged for cash.",
  ],
  metadatas: [
    { type: "faq", year: 2023 },
    { type: "blog", year: 2020 },
    { type: "faq", year: 2024 },
    { type: "faq", year: 2021, tags: ["gift", "policy"] },
  ],
});

const result = await docs.query({
  queryTexts: ["How do I return a product?"],
  nResults: 2,
  where: { type: { $eq: "faq" } },
});

console.log(`collection '${docs.name}' at ${client.path}: ${await docs.count()} records`);
for (const hit of result.rows()[0]) {
  console.log(
    `${hit.distance.toFixed(4)}  ${hit.id}  [${hit.metadata.type}, ${hit.metadata.year}]  ${hit.document}`,
  );
}
await client.close();
