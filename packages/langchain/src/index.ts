/**
 * @cairndb/langchain — a LangChain.js `VectorStore` backed by Cairn: in-process (`EphemeralClient`), on disk
 * (`PersistentClient`, via `path`) or remote (`HttpClient`, via `client`). `@langchain/core` is a peer dependency.
 *
 * @example
 * import { CairnVectorStore } from "@cairndb/langchain";
 * const store = await CairnVectorStore.fromDocuments(docs, embeddings, { collectionName: "docs", path: "./cairn_db" });
 * const retriever = store.asRetriever({ k: 4, filter: { type: "faq" } });
 */
export { decodeMetadata, encodeMetadata, LC_JSON_KEY } from "./metadata";
export type {
  CairnAddOptions,
  CairnDeleteParams,
  CairnSearchOptions,
  CairnVectorStoreArgs,
  ScoreKind,
} from "./options";
export { CairnVectorStore, type CairnMMRSearchOptions } from "./vector-store";
