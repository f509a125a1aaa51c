// Retrieval-augmented generation with LlamaIndex.TS over Cairn: ingest, ask a query engine, filter, delete a
// document, then reopen the index from disk in a NEW process (this script runs itself with `reopen`).
// Runs offline: the embeddings are deterministic (Cairn's lexical HashEmbeddingFunction) and the LLM is a mock
// that can only answer from the context in its prompt, so every answer shows that retrieval reached it.
//
// For real models (npm i @llamaindex/openai, OPENAI_API_KEY), change two lines:
//   const embedModel = new OpenAIEmbedding({ model: "text-embedding-3-small" });
//   Settings.llm = new OpenAI({ model: "gpt-4o-mini" });
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { HashEmbeddingFunction } from "@cairndb/core";
import { CairnVectorStore } from "@cairndb/llamaindex";
import { BaseEmbedding } from "@llamaindex/core/embeddings";
import { MockLLM } from "@llamaindex/core/llms/mock";
import {
  Document,
  IngestionPipeline,
  SentenceSplitter,
  Settings,
  storageContextFromDefaults,
  VectorStoreIndex,
} from "llamaindex";

const dataDir = process.env.CAIRN_LLAMAINDEX_DIR ?? "./data";
const dbPath = join(dataDir, "cairn_db"); // Cairn's database: nodes, text, metadata, vectors
const persistDir = join(dataDir, "llamaindex_storage"); // LlamaIndex's docStore: document hashes, for dedup

/** A LlamaIndex embedding backed by Cairn's offline hashing embedder (lexical: shared words, not meaning). */
class HashEmbedding extends BaseEmbedding {
  #ef = new HashEmbeddingFunction({ dimension: 384 });
  async getTextEmbedding(text) {
    return (await this.#ef.generate([text]))[0];
  }
}

const words = (text) => new Set(text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []);

/**
 * A mock LLM that knows nothing: it answers with the context sentence sharing the most words with the query
 * (at least two), and says so when the context does not answer.
 */
class ContextOnlyLLM extends MockLLM {
  lastContext = "";
  async complete(params) {
    const prompt = String(params.prompt);
    // The default response synthesizer's prompt: "Context information is below.\n----…\n{context}\n----…\n…Query: …"
    const context = prompt.split("---------------------\n")[1] ?? "";
    const query = prompt.match(/Query: (.*)/)?.[1] ?? "";
    this.lastContext = context;
    const asked = words(query);
    let best = { sentence: "", overlap: 0 };
    for (const sentence of context.match(/[^.!?\n]+[.!?]/g) ?? []) {
      const overlap = [...words(sentence)].filter((w) => asked.has(w) && w.length > 3).length;
      if (overlap > best.overlap) best = { sentence: sentence.trim(), overlap };
    }
    const text =
      best.overlap > 1 ? `From the context: ${best.sentence}` : "I don't know: the context does not say.";
    return params.stream
      ? (async function* () {
          yield { delta: text, text, raw: null };
        })()
      : { text, raw: null };
  }
}

const embedModel = new HashEmbedding();
// VectorStoreIndex embeds queries with Settings.embedModel (and reads it in its constructor): use the same
// model as the store's, or the query and node vectors are not comparable.
Settings.embedModel = embedModel;
const llm = new ContextOnlyLLM({ timeBetweenToken: 0 });
Settings.llm = llm;

const openStore = () => new CairnVectorStore({ collectionName: "handbook", path: dbPath, embedModel });
const count = async (store) => (await store.client()).count();
const show = (hits) =>
  hits.map(({ node, score }) => `${node.sourceNode?.nodeId} (${score.toFixed(3)})`).join(", ");

async function ask(index, query) {
  const response = await index.asQueryEngine({ similarityTopK: 2 }).query({ query });
  console.log(`Q: ${query}`);
  console.log(`   retrieved: ${show(response.sourceNodes ?? [])}`);
  console.log(`   the LLM's prompt held ${llm.lastContext.length} characters of retrieved context`);
  console.log(`A: ${response.toString()}`);
}

// Long handbook pages, split into chunks by an explicit SentenceSplitter.
const pages = [
  new Document({
    id_: "page-returns",
    metadata: { section: "returns", tags: ["orders", "refunds"] },
    text:
      "Items can be returned within thirty days of delivery. Open the orders page and choose Return item. " +
      "Print the prepaid label and drop the parcel at any post office. Refunds reach your card five to ten " +
      "business days after the parcel arrives at our warehouse. Gift cards cannot be returned or exchanged for " +
      "cash. Damaged items are replaced free of charge: send us a photo of the damage within two days.",
  }),
  new Document({
    id_: "page-shipping",
    metadata: { section: "shipping", tags: ["orders", "delivery"] },
    text:
      "Standard shipping takes three to five business days. Express shipping arrives the next business day " +
      "when you order before noon. Every parcel has a tracking number, sent by email when it leaves our " +
      "warehouse. Orders over fifty euros ship free of charge. Batteries never travel by air, only by road.",
  }),
];
// Short FAQ entries: one node each.
const faqs = [
  new Document({
    id_: "faq-hours",
    metadata: { section: "support" },
    text: "Support answers chat messages from nine to six.",
  }),
  new Document({
    id_: "faq-pay",
    metadata: { section: "payments" },
    text: "We accept cards, bank transfers and gift cards.",
  }),
];

async function ingestAndQuery() {
  console.log(`[ingest, pid ${process.pid}]`);
  const vectorStore = openStore();
  const storageContext = await storageContextFromDefaults({ vectorStore, persistDir });

  // VectorStoreIndex.fromDocuments (llamaindex 0.12.1) takes no `transformations` and splits with a node parser
  // that Settings.nodeParser from "llamaindex" does not reach. So an explicit splitter runs in an
  // IngestionPipeline; the persisted docStore makes re-runs add nothing.
  const splitter = new SentenceSplitter({ chunkSize: 64, chunkOverlap: 0 });
  const pipeline = new IngestionPipeline({
    transformations: [splitter, embedModel],
    vectorStore,
    docStore: storageContext.docStore,
  });
  await pipeline.run({ documents: pages });
  const index = await VectorStoreIndex.fromDocuments(faqs, { storageContext });
  console.log(
    `ingested ${pages.length} pages (chunked) and ${faqs.length} FAQ entries: ${await count(vectorStore)} nodes`,
  );

  await ask(index, "How many days until refunds reach my card?");

  const shipping = index.asRetriever({
    similarityTopK: 5,
    filters: { filters: [{ key: "section", value: "shipping", operator: "==" }] },
  });
  console.log(
    `filtered to section == shipping: ${show(await shipping.retrieve({ query: "when do orders arrive" }))}`,
  );
  const faqOnly = index.asRetriever({
    similarityTopK: 5,
    filters: {
      filters: [
        { key: "section", value: ["support", "payments"], operator: "in" },
        { key: "tags", operator: "is_empty" },
      ],
    },
  });
  console.log(
    `filtered to section in [support, payments] and no tags: ${show(await faqOnly.retrieve({ query: "can I pay by card" }))}`,
  );

  const before = await count(vectorStore);
  await index.deleteRefDoc("page-returns");
  console.log(`deleteRefDoc("page-returns"): ${before} → ${await count(vectorStore)} nodes`);
  await vectorStore.close();

  // Reopen from disk in another process.
  const child = spawnSync(process.execPath, [fileURLToPath(import.meta.url), "reopen"], { stdio: "inherit" });
  if (child.status !== 0) process.exit(child.status ?? 1);
}

async function reopenAndQuery() {
  console.log(`[reopen, pid ${process.pid}]`);
  const vectorStore = openStore();
  const index = await VectorStoreIndex.fromVectorStore(vectorStore);
  console.log(`opened ${await count(vectorStore)} nodes from ${dbPath}`);
  await ask(index, "How fast is express shipping?");
  await ask(index, "How many days until refunds reach my card?");
  await vectorStore.close();
}

await (process.argv[2] === "reopen" ? reopenAndQuery() : ingestAndQuery());
