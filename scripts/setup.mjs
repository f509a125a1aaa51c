// Installs dependencies (native builds of better-sqlite3 and hnswlib-node included) and builds the packages.
import { pnpm } from "./pnpm.mjs";

// onnxruntime-node's install script only downloads optional GPU providers; its CPU binaries ship in the package.
process.env.ONNXRUNTIME_NODE_INSTALL ??= "skip";
pnpm(["install", "--frozen-lockfile"]);
pnpm(["-r", "--filter", "./packages/**", "build"]);
