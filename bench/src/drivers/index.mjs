/**
 * The drivers the bench knows, with their labels and parameters. Every measured configuration is one entry,
 * so the same module can appear twice (raw hnswlib at two ef_construction values).
 */

/**
 * @typedef {{ name: string, label: string, load: () => Promise<object>, params: object, ef: boolean,
 *   filterCache?: boolean }} DriverSpec  filterCache: also measure filters that change every query
 */

const HNSW = { maxNeighbors: 16, efConstruction: 100, efSearch: 100 };

/** @type {DriverSpec[]} */
export const DRIVERS = [
  {
    name: "cairn",
    filterCache: true,
    label: "Cairn embedded",
    load: () => import("./cairn-embedded.mjs"),
    params: {},
    ef: true,
  },
  {
    name: "cairn-server",
    filterCache: true,
    label: "Cairn server (HTTP)",
    load: () => import("./cairn-server.mjs"),
    params: {},
    ef: true,
  },
  {
    name: "chroma",
    label: "Chroma 1.0.0 server",
    load: () => import("./chroma.mjs"),
    params: HNSW,
    ef: true,
  },
  {
    name: "hnswlib",
    label: "hnswlib-node (M16, efC100)",
    load: () => import("./hnswlib.mjs"),
    params: HNSW,
    ef: true,
  },
  {
    name: "hnswlib-efc200",
    label: "hnswlib-node (M16, efC200)",
    load: () => import("./hnswlib.mjs"),
    params: { ...HNSW, efConstruction: 200 },
    ef: true,
  },
  {
    name: "brute-force",
    label: "brute force (exact)",
    load: () => import("./brute-force.mjs"),
    params: {},
    ef: false,
  },
];

/** A driver spec by name. */
export function driverSpec(name) {
  const spec = DRIVERS.find((d) => d.name === name);
  if (!spec) throw new Error(`unknown driver '${name}'; known: ${DRIVERS.map((d) => d.name).join(", ")}`);
  return spec;
}
