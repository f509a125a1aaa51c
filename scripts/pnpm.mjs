// Runs the pinned pnpm through npx, so a fresh machine needs only Node and npm.
import { spawnSync } from "node:child_process";

export const PNPM = "pnpm@10.34.9";

/** Runs pnpm with the given arguments; exits the process on failure. */
export function pnpm(args, options = {}) {
  const result = spawnSync("npx", ["--yes", PNPM, ...args], {
    stdio: "inherit",
    shell: process.platform === "win32",
    ...options,
  });
  if (result.status !== 0) {
    console.error(`pnpm ${args.join(" ")} failed (exit ${result.status})`);
    process.exit(result.status ?? 1);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) pnpm(process.argv.slice(2));
