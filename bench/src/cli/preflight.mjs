/**
 * Checks before a run: the drivers load the BUILT packages (dist/), so a dist older than its sources measures
 * old code. Warns (never fails): the bench still runs.
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** Warns about packages whose dist is missing or older than src. */
export function checkBuilds(repoRoot, packages, log) {
  for (const name of packages) {
    const src = join(repoRoot, "packages", name, "src");
    const dist = join(repoRoot, "packages", name, "dist", "index.js");
    if (!existsSync(src)) continue;
    if (!existsSync(dist)) log(`warning: packages/${name}/dist is missing; run \`pnpm build\` first`);
    else if (statSync(dist).mtimeMs < newestMtime(src))
      log(
        `warning: packages/${name}/dist is older than its sources; run \`pnpm build\` to measure the current code`,
      );
  }
}
