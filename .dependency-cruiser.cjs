/**
 * Module boundaries of @cairndb/core (see docs/architecture.md) and of the packages built on it.
 * `npm run lint` fails when an import crosses one of these lines.
 */
const core = "^packages/core/src/";
// A module is a folder (`index/` is the vector index module), or one of the top-level files types.ts / version.ts.
const FILE_MODULES = ["types", "version"];
const mod = (m) => (FILE_MODULES.includes(m) ? `${core}${m}\\.ts$` : `${core}${m}/`);
// `internal/` holds small shared helpers (edit distance, plain-object checks, value describers, fsync, float32
// bytes): every module may import it, and it is a leaf that imports nothing else from core.
const LEAF = "internal";
const allowed = {
  client: ["collection", "engine", "config", "embeddings", "http", "errors", "types", "distance", "version"],
  collection: ["config", "embeddings", "filter", "engine", "errors", "types", "distance"],
  config: ["errors", "types"],
  embeddings: ["errors", "types"],
  filter: ["errors", "types"],
  distance: ["errors", "types"],
  storage: ["filter", "errors", "types"],
  index: ["distance", "errors", "types"],
  engine: ["storage", "index", "filter", "distance", "config", "errors", "types"],
  http: ["errors", "types", "collection", "config", "embeddings", "filter"],
  // Operations: backup, restore, check and repair of a database folder (over engine and storage); export,
  // import and sizing (over the public client and collection API).
  ops: [
    "client",
    "collection",
    "engine",
    "storage",
    "index",
    "config",
    "embeddings",
    "errors",
    "types",
    "version",
  ],
  errors: [],
};
for (const to of Object.values(allowed)) to.push(LEAF);
allowed[LEAF] = [];
const forbidden = Object.entries(allowed).map(([from, to]) => ({
  name: `core-${from}-boundary`,
  comment: `core/src/${from} may only import: ${to.join(", ") || "nothing inside core"}`,
  severity: "error",
  from: { path: mod(from) },
  to: {
    path: core,
    pathNot: [mod(from), ...to.map(mod)],
  },
}));

module.exports = {
  forbidden: [
    ...forbidden,
    {
      name: "only-storage-imports-sqlite",
      severity: "error",
      comment: "besides storage/, only the Chroma importer, which reads Chroma's own SQLite file read-only",
      from: { path: core, pathNot: [mod("storage"), `${core}ops/chroma/sqlite-reader\\.ts$`] },
      to: { path: "better-sqlite3" },
    },
    {
      name: "only-index-imports-hnswlib",
      severity: "error",
      from: { path: core, pathNot: mod("index") },
      to: { path: "hnswlib-node" },
    },
    {
      name: "only-embeddings-imports-the-model-runtime",
      comment: "@cairndb/default-embed is an optional peer: imported lazily by embeddings/ only",
      severity: "error",
      from: { path: core, pathNot: mod("embeddings") },
      to: { path: "(^|/)(@cairndb/default-embed|packages/default-embed)(/|$)" },
    },
    {
      name: "default-embed-stands-alone",
      comment: "@cairndb/default-embed must not depend on core (core loads it)",
      severity: "error",
      from: { path: "^packages/default-embed/" },
      to: { path: "(^packages/core/|@cairndb/core)" },
    },
    {
      name: "packages-use-core-public-api",
      comment: "server and adapters import @cairndb/core only, never its files",
      severity: "error",
      from: { path: "^packages/(server|langchain|llamaindex|postgres)/" },
      // The public entry (packages/core/src/index.ts, which "@cairndb/core" resolves to) is allowed.
      to: { path: "^packages/core/src/", pathNot: "^packages/core/src/index\\.ts$" },
    },
    { name: "no-circular", severity: "error", from: {}, to: { circular: true } },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.base.json" },
    exclude: { path: "(^|/)(test|dist)/" },
  },
};
