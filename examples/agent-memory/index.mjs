// Long-term memory for an agent with LangChain.js and Cairn: `remember(text, { session, role, timestamp })` and
// `recall(query, { session?, since? })`, persisted on disk so memories outlive the process.
//
//   node index.mjs            runs itself twice: `remember` in one process, then `recall` in a fresh one
//   node index.mjs remember   /  node index.mjs recall      (one step; CAIRN_MEMORY_PATH picks the folder)
//
// Runs offline: deterministic embeddings (Cairn's lexical HashEmbeddingFunction: shared words, not meaning) and
// a fake chat model that answers only from the memories in its prompt. For real models (npm i @langchain/openai;
// Node 22+ and OPENAI_API_KEY), change two lines:
//   const embeddings = new OpenAIEmbeddings({ model: "text-embedding-3-small" });
//   const model = new ChatOpenAI({ model: "gpt-4o-mini" });
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { fileURLToPath } from "node:url";
import { HashEmbeddingFunction } from "@cairndb/core";
import { CairnVectorStore } from "@cairndb/langchain";
import { Document } from "@langchain/core/documents";
import { Embeddings } from "@langchain/core/embeddings";
import { SimpleChatModel } from "@langchain/core/language_models/chat_models";
import { StringOutputParser } from "@langchain/core/output_parsers";
import { ChatPromptTemplate } from "@langchain/core/prompts";

const path = process.env.CAIRN_MEMORY_PATH ?? "./cairn_db";
const collectionName = "agent-memory";

/** LangChain embeddings backed by Cairn's offline hashing embedder. */
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

/** A fake chat model that knows nothing by itself: it answers with the remembered line closest to the question. */
class MemoryOnlyChatModel extends SimpleChatModel {
  _llmType() {
    return "memory-only-fake";
  }
  async _call(messages) {
    const system = messages.find((m) => m.getType() === "system")?.text ?? "";
    const asked = words(messages.findLast((m) => m.getType() === "human")?.text ?? "");
    const memories = system.split("\n").filter((line) => line.startsWith("- "));
    const score = (line) => [...words(line)].filter((w) => asked.has(w) && w.length > 2).length;
    const best = memories.toSorted((a, b) => score(b) - score(a))[0];
    return best && score(best) > 0 ? `You told me ${best.slice(2)}` : "I don't remember anything about that.";
  }
}

const embeddings = new HashEmbeddings();

/** Stores one memory. The id is derived from its content, so remembering the same thing twice is a no-op. */
async function remember(store, text, { session, role, timestamp }) {
  const at = new Date(timestamp);
  const id = createHash("sha256")
    .update(`${session}\n${role}\n${at.toISOString()}\n${text}`)
    .digest("hex")
    .slice(0, 24);
  // Numbers (epoch ms) so that `since` can use $gte; the ISO string is for people.
  const metadata = { session, role, timestamp: at.getTime(), at: at.toISOString() };
  await store.addDocuments([new Document({ pageContent: text, metadata, id })]);
  return id;
}

/** The memories closest to `query`, optionally limited to one session and/or to memories since a date. */
async function recall(store, query, { session, since, k = 3 } = {}) {
  const clauses = [];
  if (session !== undefined) clauses.push({ session });
  if (since !== undefined) clauses.push({ timestamp: { $gte: new Date(since).getTime() } });
  const filter = clauses.length === 0 ? undefined : clauses.length === 1 ? clauses[0] : { $and: clauses };
  const hits = await store.similaritySearchWithScore(query, k, filter);
  return hits.map(([doc, score]) => ({ text: doc.pageContent, ...doc.metadata, score }));
}

const MEMORIES = [
  ["I am vegetarian, so please never suggest steak houses.", "user", "trip-planning", "2025-01-10T09:00:00Z"],
  ["I live in Porto and work as a nurse.", "user", "trip-planning", "2025-01-10T09:01:00Z"],
  [
    "Noted: the user prefers trains to planes for trips under 600 km.",
    "assistant",
    "trip-planning",
    "2025-01-10T09:05:00Z",
  ],
  ["I moved: I live in Lisbon now, near the river.", "user", "moving", "2025-03-02T18:30:00Z"],
  ["My sister Ana visits me in Lisbon every May.", "user", "moving", "2025-03-02T18:32:00Z"],
];

async function rememberStep() {
  const store = new CairnVectorStore(embeddings, {
    collectionName,
    path,
    configuration: { hnsw: { space: "cosine" } },
  });
  for (const [text, role, session, timestamp] of MEMORIES)
    await remember(store, text, { session, role, timestamp });
  const count = await (await store.getCollection()).count();
  console.log(`[remember, pid ${process.pid}] stored ${MEMORIES.length} memories; the store holds ${count}`);
  await store.close();
}

async function recallStep() {
  // fromExistingCollection fails if nothing was persisted, so this step proves the memories survived the restart.
  const store = await CairnVectorStore.fromExistingCollection(embeddings, { collectionName, path });
  const show = (label, memories) => {
    console.log(label);
    for (const m of memories)
      console.log(`  ${m.score.toFixed(3)}  [${m.session}, ${m.role}, ${m.at.slice(0, 10)}] ${m.text}`);
  };
  console.log(
    `[recall, pid ${process.pid}] opened ${await (await store.getCollection()).count()} memories from disk`,
  );
  show("where do I live?", await recall(store, "where do I live?", { k: 2 }));
  show(
    "where do I live? (since 2025-02-01)",
    await recall(store, "where do I live?", { since: "2025-02-01" }),
  );
  show(
    "where do I live? (session trip-planning)",
    await recall(store, "where do I live?", { session: "trip-planning", k: 1 }),
  );
  show(
    "how do I like to travel? (both filters)",
    await recall(store, "trips by train or plane?", { session: "trip-planning", since: "2025-01-01", k: 1 }),
  );

  // The agent's turn: recalled memories go into the prompt; the model answers from them.
  const prompt = ChatPromptTemplate.fromMessages([
    ["system", "You are a helpful assistant. What you remember about the user:\n{memories}"],
    ["human", "{question}"],
  ]);
  const model = new MemoryOnlyChatModel({});
  const chain = prompt.pipe(model).pipe(new StringOutputParser());
  const question = "Where do I live these days?";
  const memories = await recall(store, question, { since: "2025-02-01", k: 2 });
  const answer = await chain.invoke({
    question,
    memories: memories.map((m) => `- (${m.at.slice(0, 10)}) ${m.text}`).join("\n"),
  });
  console.log(`agent> ${question}\nagent< ${answer}`);
  await store.close();
}

const step = process.argv[2];
if (step === "remember") await rememberStep();
else if (step === "recall") await recallStep();
else {
  // Two separate processes: nothing is shared between them but the database folder.
  const self = fileURLToPath(import.meta.url);
  for (const next of ["remember", "recall"]) {
    const run = spawnSync(process.execPath, [self, next], {
      stdio: "inherit",
      env: { ...process.env, CAIRN_MEMORY_PATH: path },
    });
    if (run.status !== 0) process.exit(run.status ?? 1);
  }
}
