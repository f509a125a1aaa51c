import { defineConfig } from "tsup";

export default defineConfig({
  entry: ["src/index.ts"],
  format: ["esm", "cjs"],
  dts: true,
  sourcemap: true,
  clean: true,
  target: "node20",
  // Native addons and the model runtime stay external: they are loaded from node_modules at run time
  // (`@cairndb/default-embed` is an optional peer dependency, imported on the first default-EF call).
  external: ["better-sqlite3", "hnswlib-node", "@cairndb/default-embed"],
});
