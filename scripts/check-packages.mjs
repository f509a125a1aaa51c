// `npm run check:packages`: packs every published package exactly as a release does and checks the tarballs —
// the packed package.json (metadata, no `workspace:` ranges, types-first `exports`, every referenced file
// shipped), the LICENSE, that no package but the embedding-runtime one pulls the embedding runtime, then
// publint and @arethetypeswrong/cli (node16 CJS + ESM, bundler). Exits 1 listing every problem.
//
// Options: --skip-build (use the existing dist/, as CI does right after `npm run setup`).
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  buildAll,
  EMBEDDING_RUNTIME_PACKAGES,
  listTarball,
  manifestProblems,
  packAll,
  publicPackages,
  ROOT,
  readFromTarball,
  run,
  runtimeReached,
} from "./packages.mjs";

const skipBuild = process.argv.includes("--skip-build");
const packages = publicPackages();
const license = readFileSync(join(ROOT, "LICENSE"), "utf8");
const work = mkdtempSync(join(tmpdir(), "cairn-check-packages-"));
const failures = [];

try {
  if (!skipBuild) {
    console.log("building…");
    buildAll();
  }
  console.log(`packing ${packages.map((p) => p.name).join(", ")}…`);
  const tarballs = packAll(packages, work);
  const byName = new Map(packages.map((p) => [p.name, p]));

  for (const pkg of packages) {
    pkg.tarball = tarballs.get(pkg.name);
    const problems = [];
    const files = listTarball(pkg.tarball);
    const manifest = JSON.parse(readFromTarball(pkg.tarball, "package.json"));
    problems.push(
      ...manifestProblems(manifest, pkg.rel, files, (path) => readFromTarball(pkg.tarball, path)),
    );

    const packedLicense = readFromTarball(pkg.tarball, "LICENSE");
    if (packedLicense === undefined) {
      problems.push(`no LICENSE in the tarball: copy the root LICENSE to ${pkg.rel}/LICENSE`);
    } else if (packedLicense !== license) {
      problems.push(`${pkg.rel}/LICENSE differs from the root LICENSE: copy the root one over it`);
    }

    if (!EMBEDDING_RUNTIME_PACKAGES.has(pkg.name)) {
      const reached = runtimeReached(pkg.name, byName);
      if (reached.length > 0) {
        problems.push(
          `installing it pulls the embedding runtime: ${reached.join(", ")}. ` +
            `Only ${[...EMBEDDING_RUNTIME_PACKAGES].join(", ")} may depend on it; move it there or make it an optional peer dependency`,
        );
      }
    }

    for (const [tool, args] of [
      ["publint", ["--no-install", "publint", "run", "--strict", pkg.tarball]],
      ["attw", ["--no-install", "attw", pkg.tarball, "--profile", "node16", "--format", "ascii"]],
    ]) {
      try {
        run("npx", args, {
          cwd: ROOT,
          quiet: true,
          env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" },
        });
      } catch (error) {
        problems.push(`${tool} reports problems:\n${indent(String(error.message))}`);
      }
    }

    const kb = (readFileSync(pkg.tarball).length / 1024).toFixed(0);
    if (problems.length === 0) {
      console.log(`ok    ${pkg.name}@${pkg.version} (${files.length} files, ${kb} kB packed)`);
    } else {
      console.log(`FAIL  ${pkg.name}@${pkg.version}`);
      for (const p of problems) console.log(indent(`- ${p}`));
      failures.push(pkg.name);
    }
  }
} catch (error) {
  console.error(`check:packages could not run: ${error.message}`);
  process.exitCode = 1;
} finally {
  rmSync(work, { recursive: true, force: true });
}

function indent(text) {
  return text
    .split("\n")
    .map((line) => `      ${line}`)
    .join("\n");
}

if (failures.length > 0) {
  console.error(`\ncheck:packages: ${failures.length} package(s) failed: ${failures.join(", ")}`);
  process.exitCode = 1;
} else if (process.exitCode !== 1) {
  console.log(`\ncheck:packages: ${packages.length} packages ok`);
}
