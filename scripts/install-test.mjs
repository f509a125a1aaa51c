// `npm run test:install`: installs the packed packages the way a user does and uses them.
//
// Builds, packs every published package (`pnpm pack`, as a release does), then, in scratch projects under the
// OS temp folder (outside the repository, so nothing of the workspace can be picked up), runs PLAIN
// `npm install` of the tarballs — no ONNXRUNTIME_NODE_INSTALL, no --ignore-scripts, and no npm/pnpm settings
// inherited from the environment this script runs in. Then:
//   - all together: an ESM and a CJS script (EphemeralClient + PersistentClient with a hand-made embedding
//     function, a server started on loopback and queried with HttpClient, every entry point imported),
//     a TypeScript type-check with `moduleResolution: nodenext` and with `bundler`, and `npx cairn --help`;
//   - a table of installed sizes (each package alone, and all together); only the embedding-runtime package
//     may install the runtime.
// Exits 1 naming the failed step; the scratch folder is kept for inspection then.
//
// Options: --skip-build (use the existing dist/), --keep (keep the scratch folder), --alone (also install
// each package alone into its own project and measure that; slower: each one builds the native addons —
// without it, each package's size is its dependency closure in the all-together install).
import { spawn } from "node:child_process";
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join, relative } from "node:path";
import {
  buildAll,
  dependencyClosure,
  EMBEDDING_RUNTIME_PACKAGES,
  HEAVY_RUNTIME,
  packAll,
  publicPackages,
  ROOT,
} from "./packages.mjs";

// Third-party packages the scratch project needs besides ours, from the npm registry.
const TYPESCRIPT = "typescript@~5.9.3";
const NODE_TYPES = "@types/node@^20.19.0";
// Network plumbing the registry may need on this machine; everything else npm_config_* is dropped.
const KEEP_NPM_CONFIG = new Set([
  "npm_config_registry",
  "npm_config_cache",
  "npm_config_proxy",
  "npm_config_https_proxy",
  "npm_config_noproxy",
  "npm_config_no_proxy",
  "npm_config_cafile",
  "npm_config_ca",
  "npm_config_strict_ssl",
]);
const CONCURRENCY = 2;

const skipBuild = process.argv.includes("--skip-build");
const keep = process.argv.includes("--keep");
const aloneInstalls = process.argv.includes("--alone");

/** The environment of a user's shell: no npm/pnpm settings from `npm run`, no install-script switches. */
function cleanEnv() {
  const env = {};
  for (const [key, value] of Object.entries(process.env)) {
    const lower = key.toLowerCase();
    if (/^(npm|pnpm)_/.test(lower) && !KEEP_NPM_CONFIG.has(lower)) continue;
    if (lower.startsWith("onnxruntime_node_")) continue;
    if (["init_cwd", "node_env", "node_options", "node_path"].includes(lower)) continue;
    env[key] = value;
  }
  // `npm run` puts the repository's node_modules/.bin on PATH: drop every PATH entry inside the repository,
  // so the scratch projects only see what they installed themselves.
  const pathKey = Object.keys(env).find((k) => k.toUpperCase() === "PATH") ?? "PATH";
  env[pathKey] = (env[pathKey] ?? "")
    .split(delimiter)
    .filter((entry) => entry && relative(ROOT, entry).startsWith(".."))
    .join(delimiter);
  env.NO_COLOR = "1";
  env.FORCE_COLOR = "0";
  return env;
}
const ENV = cleanEnv();

/** Runs a command asynchronously, capturing its output; rejects with the output's tail when it fails. */
function exec(cmd, args, cwd) {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(cmd, args, { cwd, env: ENV, shell: process.platform === "win32" });
    let output = "";
    child.stdout.on("data", (d) => {
      output += d;
    });
    child.stderr.on("data", (d) => {
      output += d;
    });
    child.on("error", (error) => reject(new Error(`${cmd} ${args.join(" ")}: ${error.message}`)));
    child.on("close", (code) => {
      const seconds = (Date.now() - started) / 1000;
      if (code === 0) resolve({ output, seconds });
      else {
        const tail = output.trimEnd().split("\n").slice(-60).join("\n");
        reject(new Error(`\`${cmd} ${args.join(" ")}\` in ${cwd} failed (exit ${code}):\n${tail}`));
      }
    });
  });
}

/** Apparent size of a folder in bytes (symlinks not followed), skipping subfolders named `skip`. */
function folderSize(path, skip) {
  let total = 0;
  const stack = [path];
  while (stack.length > 0) {
    const dir = stack.pop();
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== skip) stack.push(full);
      } else total += lstatSync(full).size;
    }
  }
  return total;
}

/** The project's package-lock.json. */
function readLock(project) {
  return JSON.parse(readFileSync(join(project, "package-lock.json"), "utf8"));
}

/** Writes a scratch npm project with the given dependencies; our other packages resolve to their tarballs. */
function scratchProject(dir, dependencies, tarballs) {
  mkdirSync(dir, { recursive: true });
  const overrides = {};
  for (const [name, tarball] of tarballs) {
    if (!(name in dependencies)) overrides[name] = `file:${tarball}`;
  }
  const manifest = { name: "cairn-install-test", version: "0.0.0", private: true, dependencies, overrides };
  writeFileSync(join(dir, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`);
}

/** Runs jobs with at most `limit` at a time. */
async function pool(jobs, limit) {
  const results = [];
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const i = next++;
      results[i] = await jobs[i]();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, jobs.length) }, worker));
  return results;
}

const MB = (bytes) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
let currentStep = "start";
const step = (name) => {
  currentStep = name;
  console.log(`• ${name}`);
};

const work = mkdtempSync(join(realpathSync(tmpdir()), "cairn-install-test-"));
let failed = false;
try {
  if (!relative(ROOT, work).startsWith("..")) {
    throw new Error(`the temp folder ${work} is inside the repository; set TMPDIR to a folder outside it`);
  }
  const packages = publicPackages();
  if (!skipBuild) {
    step("build");
    buildAll();
  }
  step(`pack ${packages.map((p) => p.name).join(", ")}`);
  const tarballs = packAll(packages, join(work, "tarballs"));

  step("install all packages together (plain npm install)");
  const all = join(work, "all");
  scratchProject(
    all,
    Object.fromEntries([...tarballs].map(([name, tgz]) => [name, `file:${tgz}`])),
    tarballs,
  );
  const together = await exec("npm", ["install", "--no-audit", "--no-fund"], all);
  const sizes = [];

  if (aloneInstalls) {
    // Each package alone, as `npm install <package>` in an empty project (each compiles the native addons).
    step(`install each package alone (plain npm install, ${CONCURRENCY} at a time)`);
    const alone = await pool(
      packages.map((pkg) => async () => {
        const dir = join(work, `alone-${pkg.name.replace(/^@.*\//, "")}`);
        scratchProject(dir, { [pkg.name]: `file:${tarballs.get(pkg.name)}` }, tarballs);
        const { seconds } = await exec("npm", ["install", "--no-audit", "--no-fund"], dir).catch((error) => {
          throw new Error(`npm install ${pkg.name} (alone) failed:\n${error.message}`);
        });
        await exec(
          "node",
          ["--input-type=module", "-e", `await import(${JSON.stringify(pkg.name)});`],
          dir,
        ).catch((error) => {
          throw new Error(`import("${pkg.name}") with only its own dependencies failed:\n${error.message}`);
        });
        return { pkg, dir, seconds };
      }),
      CONCURRENCY,
    );
    for (const { pkg, dir, seconds } of alone) {
      const lock = readLock(dir);
      const installed = Object.keys(lock.packages ?? {}).filter((k) => k !== "");
      sizes.push({
        label: pkg.name,
        bytes: folderSize(join(dir, "node_modules")),
        count: installed.length,
        seconds,
        runtime: HEAVY_RUNTIME.filter((name) => installed.some((k) => k.endsWith(`node_modules/${name}`))),
      });
    }
  } else {
    // What installing each package alone installs: its dependency closure in the tree npm just built
    // (dependencies, optional dependencies, non-optional peers), measured on disk, native builds included.
    const lock = readLock(all);
    for (const pkg of packages) {
      // The lockfile also lists optional packages of other platforms, which are not on disk.
      const closure = new Set(
        [...dependencyClosure(lock, `node_modules/${pkg.name}`)].filter((key) => existsSync(join(all, key))),
      );
      sizes.push({
        label: pkg.name,
        bytes: [...closure].reduce((sum, key) => sum + folderSize(join(all, key), "node_modules"), 0),
        count: closure.size,
        runtime: HEAVY_RUNTIME.filter((name) => [...closure].some((k) => k.endsWith(`node_modules/${name}`))),
      });
    }
  }
  for (const s of sizes) {
    if (s.runtime.length > 0 && !EMBEDDING_RUNTIME_PACKAGES.has(s.label)) {
      throw new Error(`installing ${s.label} installs the embedding runtime (${s.runtime.join(", ")})`);
    }
  }
  sizes.push({
    label: "all together",
    bytes: folderSize(join(all, "node_modules")),
    count: Object.keys(readLock(all).packages ?? {}).length - 1,
    seconds: together.seconds,
  });

  const names = new Set(packages.map((p) => p.name));
  const entries = [...names].filter((n) => n !== "@cairndb/core");
  writeFileSync(join(all, "smoke.mjs"), smokeScript("esm", entries, names.has("@cairndb/server")));
  writeFileSync(join(all, "smoke.cjs"), smokeScript("cjs", entries, false));
  step("ESM script (node smoke.mjs)");
  process.stdout.write(indent((await exec("node", ["smoke.mjs"], all)).output));
  step("CJS script (node smoke.cjs)");
  process.stdout.write(indent((await exec("node", ["smoke.cjs"], all)).output));

  step(`TypeScript type-check (${TYPESCRIPT}; moduleResolution nodenext and bundler)`);
  await exec("npm", ["install", "--no-audit", "--no-fund", "--save-dev", TYPESCRIPT, NODE_TYPES], all);
  writeTypeCheckProject(all, entries);
  for (const config of ["tsconfig.nodenext.json", "tsconfig.bundler.json"]) {
    await exec("npx", ["--no-install", "tsc", "-p", config], all).catch((error) => {
      throw new Error(`type-check with ${config} failed:\n${error.message}`);
    });
    console.log(`    ${config}: no errors`);
  }

  if (names.has("@cairndb/server")) {
    step("npx cairn --help");
    for (const dir of aloneInstalls ? [all, join(work, "alone-server")] : [all]) {
      const { output } = await exec("npx", ["--no-install", "cairn", "--help"], dir);
      if (!/usage/i.test(output))
        throw new Error(`\`npx cairn --help\` in ${dir} printed no usage:\n${output}`);
    }
    console.log("    exit 0, usage printed");
  }

  const how = aloneInstalls ? "each installed alone" : "alone = its dependency closure in the full install";
  console.log(`\nInstalled size (node_modules, apparent size, plain npm install of the tarballs; ${how}):`);
  const width = Math.max(...sizes.map((s) => s.label.length));
  for (const s of sizes) {
    console.log(
      `  ${s.label.padEnd(width)}  ${MB(s.bytes).padStart(9)}  ${String(s.count).padStart(4)} packages  ${s.seconds === undefined ? "" : `${s.seconds.toFixed(0).padStart(4)} s install`}`,
    );
  }
  console.log("\ntest:install: ok");
} catch (error) {
  failed = true;
  console.error(`\ntest:install FAILED at step "${currentStep}":\n${error.message}`);
  console.error(`\nThe scratch projects are kept in ${work}`);
  process.exitCode = 1;
} finally {
  if (!failed && !keep) rmSync(work, { recursive: true, force: true });
  else if (keep) console.log(`scratch projects kept in ${work}`);
}

function indent(text) {
  return text
    .trimEnd()
    .split("\n")
    .map((line) => `    ${line}`)
    .join("\n")
    .concat("\n");
}

/** The ESM / CJS smoke script: the README's flow with a hand-made embedding function, checked. */
function smokeScript(kind, entries, withServer) {
  const esm = kind === "esm";
  const imports = esm
    ? [
        `import assert from "node:assert/strict";`,
        `import { mkdtempSync, rmSync } from "node:fs";`,
        `import { tmpdir } from "node:os";`,
        `import { join } from "node:path";`,
        `import { CairnError, EphemeralClient, HttpClient, PersistentClient } from "@cairndb/core";`,
        ...entries.map((name, i) => `import * as entry${i} from ${JSON.stringify(name)};`),
      ]
    : [
        `const assert = require("node:assert/strict");`,
        `const { mkdtempSync, rmSync } = require("node:fs");`,
        `const { tmpdir } = require("node:os");`,
        `const { join } = require("node:path");`,
        `const { CairnError, EphemeralClient, HttpClient, PersistentClient } = require("@cairndb/core");`,
        ...entries.map((name, i) => `const entry${i} = require(${JSON.stringify(name)});`),
      ];
  const entryChecks = entries.map(
    (name, i) =>
      `  assert.ok(Object.keys(entry${i}).length > 0, "${name} exports nothing");\n  console.log("${name}: " + Object.keys(entry${i}).length + " exports");`,
  );
  const server = withServer
    ? `
  // A server on loopback, queried with HttpClient.
  const { startServer } = await import("@cairndb/server");
  const served = await startServer({ path: join(dir, "served"), host: "127.0.0.1", port: 0, logLevel: "silent" });
  try {
    const http = new HttpClient({ path: served.url });
    const remote = await http.createCollection({ name: "remote", embeddingFunction: ef });
    await remote.add({ ids: ["r1", "r2"], documents: ["apple", "cherry"] });
    const hit = await remote.query({ queryTexts: ["apple"], nResults: 1 });
    assert.deepEqual(hit.ids, [["r1"]]);
    console.log("server + HttpClient: ok");
  } finally {
    await served.close();
  }`
    : "";
  return `${imports.join("\n")}

// Counts of the letters a..h: texts sharing letters land close together.
const ef = {
  generate: async (texts) =>
    texts.map((text) => Array.from("abcdefgh", (letter) => text.split(letter).length - 1 + 0.01)),
};
const docs = { ids: ["a", "b", "c"], documents: ["apple", "banana", "cherry"], metadatas: [{ n: 1 }, { n: 2 }, { n: 3 }] };

async function exercise(client, name) {
  const col = await client.getOrCreateCollection({ name, embeddingFunction: ef });
  await col.add(docs);
  const hits = await col.query({ queryTexts: ["apple"], nResults: 2 });
  assert.equal(hits.ids[0][0], "a", "query: nearest to 'apple'");
  const got = await col.get({ where: { n: { $gte: 2 } } });
  assert.deepEqual([...got.ids].sort(), ["b", "c"], "get with where");
  await assert.rejects(col.add({ ids: ["a"], documents: ["again"] }), (e) => e instanceof CairnError && typeof e.code === "string");
  return col;
}

async function main() {
${entryChecks.join("\n")}
  const dir = mkdtempSync(join(tmpdir(), "cairn-smoke-"));
  try {
    await exercise(new EphemeralClient(), "mem");
    console.log("EphemeralClient: ok");

    const client = new PersistentClient({ path: join(dir, "db") });
    await exercise(client, "disk");
    await client.close();
    const reopened = new PersistentClient({ path: join(dir, "db") });
    const again = await reopened.getCollection({ name: "disk", embeddingFunction: ef });
    assert.equal(await again.count(), 3, "persisted count after reopening");
    const row = await again.get({ ids: ["b"], include: ["documents", "metadatas"] });
    assert.deepEqual(row.documents, ["banana"]);
    await reopened.close();
    console.log("PersistentClient: ok (reopened, 3 records)");
${server}
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  () => console.log("${kind}: ok"),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
`;
}

/** Two small TypeScript projects type-checking the public API through nodenext and bundler resolution. */
function writeTypeCheckProject(dir, entries) {
  const body = (ext) => `import { CairnError, type EmbeddingFunction, EphemeralClient } from "@cairndb/core";
${entries.map((name, i) => `import * as entry${i} from ${JSON.stringify(name)};`).join("\n")}

const ef: EmbeddingFunction = { generate: async (texts: string[]) => texts.map(() => [1, 0, 0]) };

export async function check${ext}(): Promise<string> {
  const client = new EphemeralClient();
  const col = await client.createCollection({ name: "typed", embeddingFunction: ef });
  await col.add({ ids: ["x"], documents: ["x"], metadatas: [{ year: 2026 }] });
  const hits = await col.query({ queryTexts: ["x"], nResults: 1, include: ["distances"] });
  const first: string = hits.ids[0][0];
  // @ts-expect-error nResults is a number
  await col.query({ queryTexts: ["x"], nResults: "1" });
  const code: string | undefined = new Error() instanceof CairnError ? "never" : undefined;
  void [${entries.map((_, i) => `entry${i}`).join(", ")}, code];
  return first;
}
`;
  writeFileSync(join(dir, "check-esm.mts"), body("Esm"));
  writeFileSync(join(dir, "check-cjs.cts"), body("Cjs"));
  writeFileSync(join(dir, "check-bundler.ts"), body("Bundler"));
  // skipLibCheck as in most projects: third-party declarations (e.g. @llamaindex/core importing the
  // undeclared `ajv`) would fail a user's build no matter what we ship.
  const base = { target: "es2022", strict: true, noEmit: true, skipLibCheck: true, types: ["node"] };
  const config = (compilerOptions, files) => `${JSON.stringify({ compilerOptions, files }, null, 2)}\n`;
  writeFileSync(
    join(dir, "tsconfig.nodenext.json"),
    config({ ...base, module: "nodenext", moduleResolution: "nodenext" }, ["check-esm.mts", "check-cjs.cts"]),
  );
  writeFileSync(
    join(dir, "tsconfig.bundler.json"),
    config({ ...base, module: "esnext", moduleResolution: "bundler" }, ["check-bundler.ts"]),
  );
}
