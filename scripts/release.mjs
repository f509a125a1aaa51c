// `npm run release`: publishes the versioned packages to npm — build, check the tarballs, `changeset publish`.
// See docs/releasing.md. Run it from the repository root after `npm run version-packages` has been committed.
import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { PNPM } from "./pnpm.mjs";
import { ROOT } from "./packages.mjs";

const pending = readdirSync(join(ROOT, ".changeset")).filter((f) => f.endsWith(".md") && f !== "README.md");
if (pending.length > 0) {
  console.error(
    `release: ${pending.length} changeset(s) not applied yet (${pending.join(", ")}).\n` +
      "Run `npm run version-packages`, review and commit the version bumps and changelogs, then release.",
  );
  process.exit(1);
}

const step = (cmd, args, env = process.env) => {
  const r = spawnSync(cmd, args, { cwd: ROOT, stdio: "inherit", env, shell: process.platform === "win32" });
  if (r.status !== 0) {
    console.error(
      `release: \`${cmd} ${args.join(" ")}\` failed (exit ${r.status}); nothing more was published.`,
    );
    process.exit(r.status ?? 1);
  }
};

step("npm", ["run", "build"]);
step("node", ["scripts/check-packages.mjs", "--skip-build"]);

// changeset publish calls `pnpm publish` (which rewrites `workspace:` ranges) only when a `pnpm` command is on
// PATH; the repository runs its pinned pnpm through npx, so put a shim for it first on PATH.
const bin = mkdtempSync(join(tmpdir(), "cairn-release-bin-"));
try {
  if (process.platform === "win32") {
    writeFileSync(join(bin, "pnpm.cmd"), `@npx --yes ${PNPM} %*\r\n`);
  } else {
    writeFileSync(join(bin, "pnpm"), `#!/bin/sh\nexec npx --yes ${PNPM} "$@"\n`);
    chmodSync(join(bin, "pnpm"), 0o755);
  }
  step("npx", ["--no-install", "changeset", "publish"], {
    ...process.env,
    PATH: `${bin}${delimiter}${process.env.PATH}`,
  });
} finally {
  rmSync(bin, { recursive: true, force: true });
}
