import { defineConfig } from "tsup";

export default defineConfig({
  entry: ["src/index.ts"],
  format: ["esm", "cjs"],
  dts: true,
  sourcemap: true,
  clean: true,
  target: "node20",
  // The runtimes are resolved from node_modules at run time: onnxruntime-node is optional, and
  // onnxruntime-web loads its .wasm files from its own package directory.
  external: ["onnxruntime-node", "onnxruntime-web", "@huggingface/tokenizers"],
});
