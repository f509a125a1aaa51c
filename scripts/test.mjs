// Second quick-start command (and CI): set up, check lint and module boundaries, type-check, run every test.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { pnpm } from "./pnpm.mjs";

// CI runs the setup once itself (before the quick benchmark) and skips it here.
if (process.env.CAIRN_SKIP_SETUP !== "1") await import("./setup.mjs");

const run = (cmd, args) => {
  const r = spawnSync(cmd, args, { stdio: "inherit" });
  return r.status ?? 1;
};

let failed = 0;
failed += run("npx", ["--no-install", "biome", "check", "."]) === 0 ? 0 : 1;
failed +=
  run("npx", [
    "--no-install",
    "depcruise",
    "--config",
    ".dependency-cruiser.cjs",
    "packages/core/src",
    "packages/default-embed/src",
    "packages/server/src",
    "packages/langchain/src",
    "packages/llamaindex/src",
    "packages/postgres/src",
  ]) === 0
    ? 0
    : 1;
pnpm(["-r", "typecheck"]);

const report = ".vitest-results.json";
rmSync(report, { force: true });
const status = run("npx", [
  "--no-install",
  "vitest",
  "run",
  "--reporter=default",
  "--reporter=json",
  `--outputFile.json=${report}`,
]);

// A closing line in the plain form CI understands, summing every test.
if (existsSync(report)) {
  const r = JSON.parse(readFileSync(report, "utf8"));
  const skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
  console.log(`\ntests: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${skipped} skipped`);
}
if (failed > 0) console.error(`${failed} static check(s) failed (lint / module boundaries)`);
process.exit(status !== 0 || failed > 0 ? 1 : 0);
