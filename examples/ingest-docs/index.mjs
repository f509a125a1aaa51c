// Ingest a folder of Markdown / text files into Cairn with LangChain.js: load → split (@langchain/textsplitters)
// → embed and store (CairnVectorStore.fromDocuments) with a progress bar → summary → a sample query.
//
//   node index.mjs [folder] [query]        (default folder: ./sample-docs next to this file)
//   CAIRN_INGEST_PATH=./my_db node index.mjs ~/notes "how do backups work?"
//
// Runs offline with deterministic embeddings (Cairn's lexical HashEmbeddingFunction). For real semantic search
// (npm i @langchain/openai; Node 22+ and OPENAI_API_KEY), replace the `embeddings` line with:
//   const embeddings = new OpenAIEmbeddings({ model: "text-embedding-3-small" });
// and wrap it in ProgressEmbeddings the same way (OpenAIEmbeddings batches requests itself, too).
import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { extname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { HashEmbeddingFunction } from "@cairndb/core";
import { CairnVectorStore } from "@cairndb/langchain";
import { Document } from "@langchain/core/documents";
import { Embeddings } from "@langchain/core/embeddings";
import { RecursiveCharacterTextSplitter } from "@langchain/textsplitters";
import cliProgress from "cli-progress";

const here = fileURLToPath(new URL(".", import.meta.url));
const folder = resolve(process.argv[2] ?? join(here, "sample-docs"));
const query = process.argv[3] ?? "How are nested metadata filters like loc.lines.from handled?";
const dbPath = process.env.CAIRN_INGEST_PATH ?? "./cairn_db";
const EXTENSIONS = new Set([".md", ".markdown", ".txt"]);

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

/** Wraps any embeddings: embeds in batches and reports each batch, so a long ingest shows its progress. */
class ProgressEmbeddings extends Embeddings {
  constructor(inner, { batchSize = 16, onBatch }) {
    super({});
    Object.assign(this, { inner, batchSize, onBatch });
  }
  async embedDocuments(texts) {
    const vectors = [];
    for (let i = 0; i < texts.length; i += this.batchSize) {
      const batch = texts.slice(i, i + this.batchSize);
      vectors.push(...(await this.inner.embedDocuments(batch)));
      this.onBatch(batch.length);
    }
    return vectors;
  }
  embedQuery(text) {
    return this.inner.embedQuery(text);
  }
}

/** Every Markdown / text file under `dir`, sorted, as paths. */
async function listFiles(dir) {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile() && EXTENSIONS.has(extname(e.name).toLowerCase()))
    .map((e) => join(e.parentPath ?? e.path, e.name))
    .sort();
}

/** Progress on a TTY with cli-progress; plain lines otherwise (logs, CI, pipes). */
function progressReporter(total) {
  if (process.stdout.isTTY) {
    const bar = new cliProgress.SingleBar(
      { format: "embedding {bar} {value}/{total} chunks" },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, 0);
    return { tick: (n) => bar.increment(n), stop: () => bar.stop() };
  }
  let done = 0;
  return {
    tick: (n) => {
      done += n;
      console.log(`embedded ${done}/${total} chunks`);
    },
    stop: () => {},
  };
}

const started = performance.now();
const files = await listFiles(folder);
if (files.length === 0) {
  console.error(`no .md, .markdown or .txt files under ${folder}`);
  process.exit(1);
}

const chunks = [];
for (const file of files) {
  const source = relative(folder, file).split("\\").join("/");
  const text = await readFile(file, "utf8");
  const splitter = file.endsWith(".txt")
    ? new RecursiveCharacterTextSplitter({ chunkSize: 400, chunkOverlap: 40 })
    : RecursiveCharacterTextSplitter.fromLanguage("markdown", { chunkSize: 400, chunkOverlap: 40 });
  const pieces = await splitter.splitDocuments([new Document({ pageContent: text, metadata: { source } })]);
  // Ids from the file and the chunk's content: re-running the ingest upserts instead of duplicating.
  for (const piece of pieces) {
    const hash = createHash("sha256").update(piece.pageContent).digest("hex").slice(0, 12);
    chunks.push(new Document({ ...piece, id: `${source}#${piece.metadata.loc.lines.from}-${hash}` }));
  }
}

const progress = progressReporter(chunks.length);
const embeddings = new ProgressEmbeddings(new HashEmbeddings(), { batchSize: 4, onBatch: progress.tick });
const store = await CairnVectorStore.fromDocuments(chunks, embeddings, {
  collectionName: "docs",
  path: dbPath,
  configuration: { hnsw: { space: "cosine" } },
});
progress.stop();
const seconds = (performance.now() - started) / 1000;
const total = await (await store.getCollection()).count();
console.log(
  `ingested ${files.length} files → ${chunks.length} chunks in ${seconds.toFixed(2)} s (collection 'docs' now holds ${total} chunks)`,
);

console.log(`\nquery: ${query}`);
for (const [doc, score] of await store.similaritySearchWithScore(query, 3)) {
  const { source, loc } = doc.metadata; // nested `loc` comes back as the splitter wrote it
  const preview = doc.pageContent.replace(/\s+/g, " ").slice(0, 90);
  console.log(`  ${score.toFixed(3)}  ${source}:${loc.lines.from}-${loc.lines.to}  ${preview}…`);
}

// Nested metadata is flattened to dotted keys, so filters can reach into `loc`.
const opening = await store.similaritySearch(query, 3, { "loc.lines.from": { $lte: 3 } });
console.log(
  `\nchunks starting in the first 3 lines of a file: ${opening.map((d) => d.metadata.source).join(", ")}`,
);
await store.close();
