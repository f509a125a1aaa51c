import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const src = (pkg: string) => fileURLToPath(new URL(`./packages/${pkg}/src/index.ts`, import.meta.url));

export default defineConfig({
  resolve: {
    // In-process tests run against the sources; spawned processes and examples use the built dist.
    alias: {
      "@cairndb/core": src("core"),
      "@cairndb/default-embed": src("default-embed"),
      "@cairndb/server": src("server"),
      "@cairndb/langchain": src("langchain"),
      "@cairndb/llamaindex": src("llamaindex"),
      "@cairndb/postgres": src("postgres"),
      "@cairndb/testing": src("testing"),
    },
  },
  test: {
    include: [
      "packages/*/test/**/*.test.ts",
      "docs/test/**/*.test.ts",
      "examples/*.test.ts",
      "bench/test/**/*.test.ts",
      "scripts/test/**/*.test.ts",
    ],
    // The vm pools break onnxruntime's Float32Array checks (cross-realm); forks is the safe default.
    pool: "forks",
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    globalSetup: ["packages/testing/src/global-setup.ts"],
  },
});
