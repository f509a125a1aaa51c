// Shared by check-packages.mjs and install-test.mjs: finds the published packages and packs them the way a
// release does (pnpm pack rewrites `workspace:` ranges to real versions).
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { PNPM } from "./pnpm.mjs";

/** The repository root. */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/**
 * Packages allowed to pull the embedding runtime (`@huggingface/transformers` → `onnxruntime-node`, ~470 MB
 * with an install script that downloads from outside the npm registry). Every other published package must
 * install without it, directly or through another workspace package.
 */
export const EMBEDDING_RUNTIME_PACKAGES = new Set(["@cairndb/default-embed"]);

/** The embedding runtime's packages. */
export const HEAVY_RUNTIME = ["@huggingface/transformers", "onnxruntime-node"];

/**
 * Every published package: each `packages/<dir>/package.json` that is not `private`, discovered at run time
 * so a new package is checked without editing the scripts.
 * @returns {{ name: string, version: string, dir: string, rel: string, manifest: Record<string, any> }[]}
 */
export function publicPackages() {
  const base = join(ROOT, "packages");
  const found = [];
  for (const entry of readdirSync(base, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const file = join(base, entry.name, "package.json");
    if (!existsSync(file)) continue;
    const manifest = JSON.parse(readFileSync(file, "utf8"));
    if (manifest.private === true) continue;
    found.push({
      name: manifest.name,
      version: manifest.version,
      dir: join(base, entry.name),
      rel: `packages/${entry.name}`,
      manifest,
    });
  }
  return found.sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * Runs a command; throws (with the command, exit status and captured output) when it fails.
 * @param {string} cmd
 * @param {string[]} args
 * @param {import("node:child_process").SpawnSyncOptions & { quiet?: boolean }} [options]
 */
export function run(cmd, args, options = {}) {
  const { quiet = false, ...rest } = options;
  const result = spawnSync(cmd, args, {
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
    shell: process.platform === "win32",
    ...rest,
    stdio: quiet ? "pipe" : ["ignore", "inherit", "inherit"],
  });
  if (result.error) throw new Error(`${cmd} ${args.join(" ")}: ${result.error.message}`);
  if (result.status !== 0) {
    const output = quiet ? `\n${result.stdout ?? ""}${result.stderr ?? ""}`.trimEnd() : "";
    throw new Error(`\`${cmd} ${args.join(" ")}\` failed (exit ${result.status})${output}`);
  }
  return result;
}

/** Builds every package (`npm run build`). */
export function buildAll() {
  run("npm", ["run", "build", "--silent"], { cwd: ROOT, quiet: true });
}

/**
 * Packs the packages with one recursive `pnpm pack` into `dest`.
 * @param {ReturnType<typeof publicPackages>} packages
 * @param {string} dest
 * @returns {Map<string, string>} package name → tarball path
 */
export function packAll(packages, dest) {
  mkdirSync(dest, { recursive: true });
  for (const pkg of packages) {
    const dist = (pkg.manifest.files ?? []).includes("dist");
    if (dist && !existsSync(join(pkg.dir, "dist")))
      throw new Error(`${pkg.rel}: no dist/ — run \`npm run build\` first`);
  }
  const filters = packages.flatMap((pkg) => ["--filter", pkg.name]);
  run("npx", ["--yes", PNPM, "-r", ...filters, "pack", "--pack-destination", dest], {
    cwd: ROOT,
    quiet: true,
  });
  const tarballs = new Map();
  for (const pkg of packages) {
    // pnpm's tarball name: @scope/name@1.2.3 → scope-name-1.2.3.tgz
    const file = join(dest, `${pkg.name.replace(/^@/, "").replace("/", "-")}-${pkg.version}.tgz`);
    if (!existsSync(file)) throw new Error(`${pkg.rel}: pnpm pack did not produce ${file}`);
    tarballs.set(pkg.name, file);
  }
  return tarballs;
}

/**
 * Reads one file out of a packed tarball (`package/<path>`); `undefined` when it is not in the tarball.
 * @param {string} tarball
 * @param {string} path
 */
export function readFromTarball(tarball, path) {
  const result = spawnSync("tar", ["-xzOf", tarball, `package/${path}`], {
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  return result.status === 0 ? result.stdout : undefined;
}

/**
 * Lists the files of a packed tarball, without the `package/` prefix.
 * @param {string} tarball
 */
export function listTarball(tarball) {
  const result = run("tar", ["-tzf", tarball], { quiet: true });
  return result.stdout
    .split("\n")
    .filter(Boolean)
    .map((f) => f.replace(/^package\//, ""));
}

const REPOSITORY_URL = "git+https://github.com/cairndb/cairn.git";
const DEPENDENCY_FIELDS = ["dependencies", "optionalDependencies", "peerDependencies", "devDependencies"];

/**
 * Problems of one package manifest, as sentences saying what to change.
 * @param {Record<string, any>} manifest the package.json (the packed one, to check `workspace:` rewriting)
 * @param {string} rel the package's folder in the repository, e.g. `packages/core`
 * @param {string[]} files the files the tarball holds (relative, no `package/` prefix)
 * @param {(path: string) => string | undefined} readFile reads one of those files
 * @returns {string[]}
 */
export function manifestProblems(manifest, rel, files, readFile) {
  const problems = [];
  const need = (cond, message) => {
    if (!cond) problems.push(message);
  };
  need(
    manifest.license === "Apache-2.0",
    `"license" must be "Apache-2.0" (is ${JSON.stringify(manifest.license)})`,
  );
  need(
    manifest.repository?.url === REPOSITORY_URL && manifest.repository?.directory === rel,
    `"repository" must be { "type": "git", "url": "${REPOSITORY_URL}", "directory": "${rel}" }`,
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
    const text = readFile(path) ?? "";
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
 * The embedding-runtime packages that installing `name` pulls in (npm installs dependencies,
 * optional dependencies and non-optional peers), following workspace packages transitively.
 */
export function runtimeReached(name, byName, seen = new Set()) {
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

/**
 * The lockfile entries (`node_modules/…` keys) that `start` needs, itself included, resolved the way Node
 * does: the nearest `node_modules/<name>` walking up from the dependent's folder.
 */
export function dependencyClosure(lock, start) {
  const entries = lock.packages ?? {};
  const resolveFrom = (from, name) => {
    let base = from;
    for (;;) {
      const key = `${base ? `${base}/` : ""}node_modules/${name}`;
      if (key in entries) return key;
      if (!base) return undefined;
      const cut = base.lastIndexOf("/node_modules/");
      base = cut === -1 ? "" : base.slice(0, cut);
    }
  };
  const seen = new Set();
  const queue = [start];
  while (queue.length > 0) {
    const key = queue.pop();
    if (seen.has(key) || !(key in entries)) continue;
    seen.add(key);
    const entry = entries[key];
    const optionalPeers = entry.peerDependenciesMeta ?? {};
    const names = [
      ...Object.keys(entry.dependencies ?? {}),
      ...Object.keys(entry.optionalDependencies ?? {}),
      ...Object.keys(entry.peerDependencies ?? {}).filter((n) => optionalPeers[n]?.optional !== true),
    ];
    for (const name of names) {
      const found = resolveFrom(key, name);
      if (found) queue.push(found);
    }
  }
  return seen;
}
