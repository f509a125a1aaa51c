// Retrieval-augmented generation with LangChain.js over Cairn: an LCEL chain
//   retriever → prompt → chat model → StringOutputParser
// Runs offline: the embeddings are deterministic (Cairn's lexical HashEmbeddingFunction) and the chat model is a
// small fake that can only answer from the context in its prompt, so every answer shows that retrieval worked.
//
// For real models (npm i @langchain/openai; it needs Node 22+ and OPENAI_API_KEY), change two lines:
//   const embeddings = new OpenAIEmbeddings({ model: "text-embedding-3-small" });
//   const model = new ChatOpenAI({ model: "gpt-4o-mini" });
import { HashEmbeddingFunction } from "@cairndb/core";
import { CairnVectorStore } from "@cairndb/langchain";
import { Document } from "@langchain/core/documents";
import { Embeddings } from "@langchain/core/embeddings";
import { SimpleChatModel } from "@langchain/core/language_models/chat_models";
import { StringOutputParser } from "@langchain/core/output_parsers";
import { ChatPromptTemplate } from "@langchain/core/prompts";
import { RunnablePassthrough, RunnableSequence } from "@langchain/core/runnables";

/** LangChain embeddings backed by Cairn's offline hashing embedder (lexical: shared words, not meaning). */
class HashEmbeddings extends Embeddings {
  #ef = new HashEmbeddingFunction({ dimension: 384 });
  constructor() {
    super({});
  }
  embedDocuments(texts) {
    return this.#ef.generate(texts);
  }
  async embedQuery(text) {
    return (await this.#ef.generate([text]))[0];
  }
}

const words = (text) => new Set(text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []);

/**
 * A stand-in for a chat model that knows nothing by itself: it answers with the context sentence sharing the
 * most words with the question, and says so when the prompt carries no usable context.
 */
class ContextOnlyChatModel extends SimpleChatModel {
  _llmType() {
    return "context-only-fake";
  }
  async _call(messages) {
    const system = messages.find((m) => m.getType() === "system")?.text ?? "";
    const question = messages.findLast((m) => m.getType() === "human")?.text ?? "";
    const context = system.split("\n").filter((line) => line.startsWith("- "));
    const asked = words(question);
    let best = { line: "", overlap: 0 };
    for (const line of context) {
      const overlap = [...words(line)].filter((w) => asked.has(w) && w.length > 3).length;
      if (overlap > best.overlap) best = { line, overlap };
    }
    return best.overlap > 0
      ? `From the context: ${best.line.slice(2)}`
      : "I don't know: the context does not say.";
  }
}

const corpus = [
  ["Orders ship within 2 business days from our warehouse in Porto.", "shipping"],
  ["Express shipping to the EU takes 1 to 3 days and costs 9 euros.", "shipping"],
  ["Refunds reach your card 5 to 10 business days after we receive the returned item.", "returns"],
  ["You can return any item within 30 days; open your orders page and choose Return item.", "returns"],
  ["Gift cards never expire and cannot be exchanged for cash.", "gift-cards"],
  ["Our support team answers chat messages from 9:00 to 18:00, Monday to Friday.", "support"],
];
const docs = corpus.map(
  ([text, topic], i) => new Document({ pageContent: text, metadata: { topic }, id: `kb-${i + 1}` }),
);

const embeddings = new HashEmbeddings();
const store = await CairnVectorStore.fromDocuments(docs, embeddings, {
  collectionName: "shop-kb",
  configuration: { hnsw: { space: "cosine" } },
});
const retriever = store.asRetriever({ k: 2 });
const model = new ContextOnlyChatModel({});

const prompt = ChatPromptTemplate.fromMessages([
  ["system", "Answer the question using only this context:\n{context}"],
  ["human", "{question}"],
]);
const formatDocs = (documents) => documents.map((d) => `- ${d.pageContent}`).join("\n");
const chain = RunnableSequence.from([
  { context: retriever.pipe(formatDocs), question: new RunnablePassthrough() },
  prompt,
  model,
  new StringOutputParser(),
]);

for (const question of [
  "How long do refunds take to reach my card?",
  "When does the support team answer chat messages?",
]) {
  const sources = await retriever.invoke(question);
  console.log(`Q: ${question}`);
  console.log(`   retrieved: ${sources.map((d) => `${d.id} [${d.metadata.topic}]`).join(", ")}`);
  console.log(`A: ${await chain.invoke(question)}\n`);
}

// Cairn's own `where` filters pass straight through LangChain's retriever.
const shippingOnly = store.asRetriever({ k: 2, filter: { topic: "shipping" } });
const filtered = await shippingOnly.invoke("How long does it take?");
console.log(`filtered to topic=shipping: ${filtered.map((d) => d.id).join(", ")}`);

// Scores are similarities (higher is better) for the collection's space.
const [[best, score]] = await store.similaritySearchWithScore("gift cards cash", 1);
console.log(`best match for "gift cards cash": ${best.id} (similarity ${score.toFixed(3)})`);
await store.close();
