import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { dependencyClosure, manifestProblems, publicPackages, ROOT, runtimeReached } from "../packages.mjs";

/** A manifest that passes every rule, for `packages/demo`. */
function goodManifest(): Record<string, unknown> {
  return {
    name: "@cairndb/demo",
    version: "1.0.0",
    description: "A demo package.",
    license: "Apache-2.0",
    repository: { type: "git", url: "git+https://github.com/cairndb/cairn.git", directory: "packages/demo" },
    homepage: "https://github.com/cairndb/cairn/tree/main/packages/demo#readme",
    bugs: { url: "https://github.com/cairndb/cairn/issues" },
    type: "module",
    engines: { node: ">=20.15" },
    bin: { demo: "./dist/cli.js" },
    main: "./dist/index.cjs",
    types: "./dist/index.d.ts",
    exports: {
      ".": {
        import: { types: "./dist/index.d.ts", default: "./dist/index.js" },
        require: { types: "./dist/index.d.cts", default: "./dist/index.cjs" },
      },
      "./package.json": "./package.json",
    },
    files: ["dist", "LICENSE"],
    sideEffects: false,
    keywords: ["demo"],
    publishConfig: { access: "public" },
    dependencies: { "@cairndb/core": "^1.0.0" },
  };
}
const FILES = [
  "package.json",
  "LICENSE",
  "dist/index.js",
  "dist/index.cjs",
  "dist/index.d.ts",
  "dist/index.d.cts",
  "dist/cli.js",
];
const readFile = (path: string) => (path === "dist/cli.js" ? "#!/usr/bin/env node\nmain();\n" : "");

describe("manifestProblems", () => {
  it("accepts a complete manifest", () => {
    expect(manifestProblems(goodManifest(), "packages/demo", FILES, readFile)).toEqual([]);
  });

  it("names each missing or wrong field", () => {
    const m = goodManifest();
    delete m.homepage;
    delete m.sideEffects;
    m.publishConfig = {};
    m.repository = { type: "git", url: "git+https://github.com/cairndb/cairn.git" };
    const problems = manifestProblems(m, "packages/demo", FILES, readFile).join("\n");
    expect(problems).toContain('"homepage" is missing');
    expect(problems).toContain('"sideEffects" is missing');
    expect(problems).toContain('"publishConfig": { "access": "public" } is missing');
    expect(problems).toContain('"directory": "packages/demo"');
  });

  it("refuses a workspace: range left in the packed manifest", () => {
    const m = { ...goodManifest(), dependencies: { "@cairndb/core": "workspace:^" } };
    expect(manifestProblems(m, "packages/demo", FILES, readFile).join("\n")).toContain(
      'dependencies.@cairndb/core is still "workspace:^"',
    );
  });

  it("wants types first and .d.cts types for require", () => {
    const m = goodManifest();
    m.exports = { ".": { require: { default: "./dist/index.cjs", types: "./dist/index.d.ts" } } };
    const problems = manifestProblems(m, "packages/demo", FILES, readFile).join("\n");
    expect(problems).toContain('exports["."]["require"]: "types" must be the first condition');
    expect(problems).toContain("CJS types of an ESM package must be a .d.cts file");
  });

  it("wants every referenced file shipped and a node shebang on bins", () => {
    const problems = manifestProblems(
      goodManifest(),
      "packages/demo",
      FILES.filter((f) => f !== "dist/index.d.cts"),
      () => "console.log(1)",
    ).join("\n");
    expect(problems).toContain('exports["."]["require"]["types"] points at ./dist/index.d.cts');
    expect(problems).toContain('bin.demo (./dist/cli.js) must start with "#!/usr/bin/env node"');
  });
});

describe("runtimeReached", () => {
  const pkg = (manifest: Record<string, unknown>) => ({ manifest });
  const byName = new Map([
    ["@cairndb/core", pkg({ dependencies: { "better-sqlite3": "^12" } })],
    ["@cairndb/heavy-core", pkg({ dependencies: { "@huggingface/transformers": "4.3.1" } })],
    ["@cairndb/adapter", pkg({ dependencies: { "@cairndb/heavy-core": "^1" } })],
    [
      "@cairndb/optional",
      pkg({
        peerDependencies: { "@cairndb/default-embed": "^1" },
        peerDependenciesMeta: { "@cairndb/default-embed": { optional: true } },
      }),
    ],
    ["@cairndb/required-peer", pkg({ peerDependencies: { "onnxruntime-node": "^1" } })],
  ]);

  it("follows workspace dependencies to the runtime", () => {
    expect(runtimeReached("@cairndb/core", byName)).toEqual([]);
    expect(runtimeReached("@cairndb/adapter", byName)).toEqual([
      "@huggingface/transformers (via @cairndb/heavy-core)",
    ]);
  });

  it("ignores optional peers and counts required ones (npm installs them)", () => {
    expect(runtimeReached("@cairndb/optional", byName)).toEqual([]);
    expect(runtimeReached("@cairndb/required-peer", byName)).toEqual([
      "onnxruntime-node (via @cairndb/required-peer)",
    ]);
  });
});

describe("dependencyClosure", () => {
  const lock = {
    packages: {
      "": { dependencies: { a: "1", c: "1" } },
      "node_modules/a": {
        dependencies: { b: "1" },
        peerDependencies: { p: "1", q: "1" },
        peerDependenciesMeta: { q: { optional: true } },
      },
      "node_modules/a/node_modules/b": { dependencies: { shared: "2" } },
      "node_modules/b": { version: "other b, not a's" },
      "node_modules/shared": { version: "1" },
      "node_modules/a/node_modules/shared": { version: "2" },
      "node_modules/p": {},
      "node_modules/q": {},
      "node_modules/c": { optionalDependencies: { missing: "1" } },
    },
  };

  it("resolves like Node: the nearest node_modules walking up", () => {
    expect([...dependencyClosure(lock, "node_modules/a")].sort()).toEqual([
      "node_modules/a",
      "node_modules/a/node_modules/b",
      "node_modules/a/node_modules/shared",
      "node_modules/p",
    ]);
  });

  it("skips optional dependencies that were not installed", () => {
    expect([...dependencyClosure(lock, "node_modules/c")]).toEqual(["node_modules/c"]);
  });
});

describe("the repository's published packages", () => {
  const license = readFileSync(join(ROOT, "LICENSE"), "utf8");
  const packages = publicPackages();

  it("are found, and private ones are not", () => {
    const names = packages.map((p) => p.name);
    expect(names).toEqual(expect.arrayContaining(["@cairndb/core", "@cairndb/server"]));
    expect(names).not.toContain("@cairndb/testing");
  });

  it.each(packages.map((p) => [p.name, p] as const))("%s has the metadata and the root LICENSE", (_, pkg) => {
    const licenseFile = join(pkg.dir, "LICENSE");
    expect(existsSync(licenseFile), `${pkg.rel}/LICENSE is missing: cp LICENSE ${pkg.rel}/`).toBe(true);
    expect(
      readFileSync(licenseFile, "utf8") === license,
      `${pkg.rel}/LICENSE differs from the root one`,
    ).toBe(true);
    // The source manifest keeps workspace: ranges (pnpm pack rewrites them), so those are not checked here.
    const problems = manifestProblems(
      pkg.manifest,
      pkg.rel,
      ["package.json", ...pkg.manifest.files],
      () => "",
    ).filter(
      (p) => !p.includes("workspace:") && !p.includes("points at") && !p.includes("#!/usr/bin/env node"),
    );
    expect(problems).toEqual([]);
  });
});
