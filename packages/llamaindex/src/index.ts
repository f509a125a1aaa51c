/**
 * @cairndb/llamaindex: a LlamaIndex.TS vector store backed by Cairn, embedded (in memory or on disk) or remote.
 *
 * @example
 * import { CairnVectorStore } from "@cairndb/llamaindex";
 * import { Settings, storageContextFromDefaults, VectorStoreIndex } from "llamaindex";
 * const vectorStore = new CairnVectorStore({ collectionName: "docs", path: "./cairn_db", embedModel: Settings.embedModel });
 * const index = await VectorStoreIndex.fromDocuments(documents, { storageContext: await storageContextFromDefaults({ vectorStore }) });
 */
export { toWhere } from "./filters";
export { CAIRN_JSON_KEY, flattenMetadata, RESERVED_KEYS, restoreMetadata } from "./metadata";
export { DEFAULT_MMR_THRESHOLD, selectMmr } from "./mmr";
export type { CairnQueryParams, CairnVectorStoreOptions } from "./options";
export { CairnVectorStore } from "./vector-store";
