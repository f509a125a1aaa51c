/** How the numbers are made, in prose: printed under every results table. */

export const METHOD = `- **Data**: seeded Gaussian mixture in 384 d (100 centres, rank-12 anisotropic noise + isotropic noise,
  L2-normalised; nearest-neighbour cosine ≈ 0.7, random pairs ≈ 0), the generator of
  \`packages/testing/src/datasets.ts\` ported to \`bench/src/data/\`. 1,000 held-out queries. Metadata
  \`{category: c0..c9, year: 2000..2024, score, flag}\` drawn independently of the vectors, plus a ~60-character
  document per record. Exact top-10 ground truth by cosine for the three query sets.
- **Ingest**: batches of 1,000 records with documents and metadata, each durable when its call returns (Cairn:
  one SQLite WAL transaction per batch, \`synchronous=NORMAL\`; Chroma: its own log; hnswlib: \`writeIndexSync\`
  once at the end, counted; brute force: append + fsync per batch). Records per second over the whole ingest.
- **Queries**: k = 10, one at a time, after a warm-up; latency of each call as the client sees it (Cairn and
  Chroma include documents, metadatas and distances, the API default). Percentiles are the median over passes;
  recall@10 from the first pass. A pass that exceeds its time budget stops early and the count is shown.
- **Filters**: \`where {category: "c3"}\` (~10% of records) and \`{$and: [{category: "c3"}, {year: 2011}]}\` (~1%);
  raw hnswlib and brute force use a JS callback / predicate over in-memory metadata columns.
- **Sweep**: recall-vs-throughput over \`ef_search\` (Cairn and Chroma through \`modify({configuration})\`).
- **Peak RSS**: VmHWM of the process that holds the data (the driver process for embedded drivers, which
  streams the dataset from disk in batches; the server process for servers).
- **Disk**: apparent size of the data folder after a clean close. **Index**: the vector index's own file(s):
  Cairn's current HNSW snapshot file, Chroma's HNSW segment files, hnswlib's index file.
- **+1,000 records**: a new process opens the persisted collection, adds 1,000 records and closes;
  \`write_bytes\` from \`/proc/<pid>/io\` of the process holding the data (everything it wrote: SQLite WAL and
  checkpoints, index files), as a share of the index size.
- **Fresh filters** (Cairn only): Cairn keeps a resolved filter until the next write, so the suites above hit
  that cache; the same filters with a new \`where\` object per query (\`"c3"\` → \`{$in: ["c3", "~<n>"]}\`,
  same records) show the cost of resolving a filter in SQLite.
- **New process → first result**: from spawning the process that holds the data (node + open, or the server
  + its client) to the first query result in hand; median of 3, page cache warm.
- Every driver runs in its own child process, one after another, on an otherwise idle machine.`;
