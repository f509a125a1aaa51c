/**
 * The build every published package shares: ESM + CJS with type declarations for both, source maps, Node 20.
 * A package passes its extra entry points and the modules that must stay external (resolved from
 * node_modules at run time: native addons, optional peers, runtimes that load files from their own folder).
 */
import { defineConfig, type Options } from "tsup";

export function packageBuild(options: { entry?: string[]; external?: string[] } = {}) {
  const config: Options = {
    entry: options.entry ?? ["src/index.ts"],
    format: ["esm", "cjs"],
    dts: true,
    sourcemap: true,
    clean: true,
    target: "node20",
  };
  if (options.external) config.external = options.external;
  return defineConfig(config);
}
