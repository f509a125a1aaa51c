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
  HEAVY_RUNTIME,
  listTarball,
  packAll,
  publicPackages,
  ROOT,
  readFromTarball,
  run,
} from "./packages.mjs";

const REPOSITORY_URL = "git+https://github.com/cairndb/cairn.git";
const DEPENDENCY_FIELDS = ["dependencies", "optionalDependencies", "peerDependencies", "devDependencies"];

/** Problems found in one packed manifest. */
function checkManifest(pkg, manifest, files) {
  const problems = [];
  const need = (cond, message) => {
    if (!cond) problems.push(message);
  };
  need(
    manifest.license === "Apache-2.0",
    `"license" must be "Apache-2.0" (is ${JSON.stringify(manifest.license)})`,
  );
  need(
    manifest.repository?.url === REPOSITORY_URL && manifest.repository?.directory === pkg.rel,
    `"repository" must be { "type": "git", "url": "${REPOSITORY_URL}", "directory": "${pkg.rel}" }`,
  );
  need(typeof manifest.homepage === "string" && manifest.homepage.length > 0, `"homepage" is missing`);
  need(typeof manifest.bugs?.url === "string", `"bugs": { "url": … } is missing`);
  need(typeof manifest.engines?.node === "string", `"engines.node" is missing`);
  need(
    manifest.sideEffects !== undefined,
    `"sideEffects" is missing (false, or the list of files that have them)`,
  );
  need(Array.isArray(manifest.keywords) && manifest.keywords.length > 0, `"keywords" is missing or empty`);
  need(manifest.publishConfig?.access === "public", `"publishConfig": { "access": "public" } is missing`);
  need(Array.isArray(manifest.files) && manifest.files.length > 0, `"files" is missing`);
  need(
    typeof manifest.description === "string" && manifest.description.length > 0,
    `"description" is missing`,
  );

  for (const field of DEPENDENCY_FIELDS) {
    for (const [dep, range] of Object.entries(manifest[field] ?? {})) {
      need(
        !String(range).startsWith("workspace:"),
        `${field}.${dep} is still "${range}" in the tarball: pack with pnpm (it rewrites workspace: ranges)`,
      );
    }
  }

  // Every file the manifest points at must be in the tarball.
  const shipped = new Set(files);
  const referenced = [];
  for (const field of ["main", "module", "types", "typings"]) {
    if (typeof manifest[field] === "string") referenced.push([field, manifest[field]]);
  }
  const bins = typeof manifest.bin === "string" ? { [manifest.name]: manifest.bin } : (manifest.bin ?? {});
  for (const [name, file] of Object.entries(bins)) referenced.push([`bin.${name}`, file]);
  walkExports(
    manifest.exports,
    "exports",
    (where, target) => referenced.push([where, target]),
    problems,
    manifest,
  );
  for (const [where, target] of referenced) {
    const path = target.replace(/^\.\//, "");
    need(shipped.has(path), `${where} points at ${target}, which is not in the tarball`);
  }
  for (const [name, file] of Object.entries(bins)) {
    const path = file.replace(/^\.\//, "");
    if (!shipped.has(path)) continue;
    const text = readFromTarball(pkg.tarball, path) ?? "";
    need(
      text.startsWith("#!/usr/bin/env node"),
      `bin.${name} (${file}) must start with "#!/usr/bin/env node"`,
    );
  }
  return problems;
}

/**
 * Walks `exports`: in every condition object `types` comes first, a `require` branch of an ESM package
 * points its types at `.d.cts`, an `import` branch of a CJS package at `.d.mts`.
 */
function walkExports(node, where, onTarget, problems, manifest, branch) {
  if (typeof node === "string") {
    if (!node.includes("*")) onTarget(where, node);
    if (where.endsWith('["types"]')) {
      const esm = manifest.type === "module";
      if (branch === "require" && esm && !node.endsWith(".d.cts")) {
        problems.push(`${where} is ${node}: CJS types of an ESM package must be a .d.cts file`);
      }
      if (branch === "import" && !esm && !node.endsWith(".d.mts")) {
        problems.push(`${where} is ${node}: ESM types of a CJS package must be a .d.mts file`);
      }
    }
    return;
  }
  if (node === null || typeof node !== "object") return;
  const keys = Object.keys(node);
  if (keys.includes("types") && keys[0] !== "types") {
    problems.push(`${where}: "types" must be the first condition (it is #${keys.indexOf("types") + 1})`);
  }
  for (const key of keys) {
    const next = key === "import" || key === "require" ? key : branch;
    walkExports(node[key], `${where}[${JSON.stringify(key)}]`, onTarget, problems, manifest, next);
  }
}

/**
 * The names of the embedding-runtime packages that installing `name` pulls in (npm installs dependencies,
 * optional dependencies and non-optional peers), following workspace packages transitively.
 */
function runtimeReached(name, byName, seen = new Set()) {
  if (seen.has(name)) return [];
  seen.add(name);
  const manifest = byName.get(name)?.manifest;
  if (!manifest) return [];
  const optionalPeers = manifest.peerDependenciesMeta ?? {};
  const deps = [
    ...Object.keys(manifest.dependencies ?? {}),
    ...Object.keys(manifest.optionalDependencies ?? {}),
    ...Object.keys(manifest.peerDependencies ?? {}).filter((d) => optionalPeers[d]?.optional !== true),
  ];
  const reached = [];
  for (const dep of deps) {
    if (HEAVY_RUNTIME.includes(dep)) reached.push(`${dep} (via ${name})`);
    else if (EMBEDDING_RUNTIME_PACKAGES.has(dep)) reached.push(`${dep} (via ${name})`);
    else if (byName.has(dep)) reached.push(...runtimeReached(dep, byName, seen));
  }
  return reached;
}

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
    problems.push(...checkManifest(pkg, manifest, files));

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
