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
