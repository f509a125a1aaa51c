export {
  type ImportChromaOptions,
  type ImportChromaResult,
  type ImportedChromaCollection,
  importChroma,
} from "./import-chroma";
