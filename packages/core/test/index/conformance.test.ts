import { FlatIndex, HnswIndex, TieredIndex } from "../../src/index/index";
import { describeVectorIndex } from "./conformance";

describeVectorIndex(
  "FlatIndex",
  (space, dimension) => new FlatIndex({ space, dimension, initialCapacity: 2 }),
);
// A tiny initial capacity exercises resizeIndex on almost every batch.
describeVectorIndex(
  "HnswIndex",
  (space, dimension) => new HnswIndex({ space, dimension, initialCapacity: 4 }),
);
describeVectorIndex(
  "HnswIndex (filtered searches always through the graph)",
  (space, dimension) => new HnswIndex({ space, dimension, initialCapacity: 4, exactScanLimit: 0 }),
);
describeVectorIndex(
  "HnswIndex (filtered searches always exact)",
  (space, dimension) => new HnswIndex({ space, dimension, exactScanLimit: Number.POSITIVE_INFINITY }),
);
describeVectorIndex(
  "HnswIndex (keepVectors, filtered searches always exact)",
  (space, dimension) =>
    new HnswIndex({
      space,
      dimension,
      initialCapacity: 4,
      keepVectors: true,
      exactScanLimit: Number.POSITIVE_INFINITY,
    }),
);
// batchSize 3: most cases leave labels in both tiers, and overwrites move labels out of HNSW.
describeVectorIndex(
  "TieredIndex (batchSize 3)",
  (space, dimension) => new TieredIndex({ space, dimension, batchSize: 3 }),
);
describeVectorIndex("TieredIndex (defaults)", (space, dimension) => new TieredIndex({ space, dimension }));
