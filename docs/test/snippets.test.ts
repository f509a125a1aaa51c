/**
 * Every TypeScript snippet in the documentation is checked: each ```ts / ```typescript block of README.md,
 * packages/*\/README.md and docs/**\/*.md (generated docs/api excepted) is type-checked against the BUILT
 * packages (their published `.d.ts`), and the blocks marked runnable are run with Node, each in a fresh folder.
 *
 * Markers are HTML comments (invisible on GitHub) on the lines right above a block:
 *
 * - `<!-- snippet: run -->` type-check, then run the block (it must work offline and finish by itself).
 * - `<!-- snippet: skip <reason> -->` neither (the reason is required and printed; skips are counted).
 * - `<!-- snippet: setup ... -->` hidden code placed before this block only (imports, `declare const x: T;`
 *   for names the prose introduced earlier, or real setup code for a runnable block).
 * - `<!-- snippet: prelude ... -->` anywhere in a file: hidden code placed before every later block of that file.
 *
 * Unmarked blocks are type-checked only. Each block is its own module (top-level `await` works).
 */
import { execFile } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import ts from "typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { extractSnippets, type Snippet } from "./snippets";

const root = fileURLToPath(new URL("../..", import.meta.url));
const packagesDir = join(root, "packages");
const exec = promisify(execFile);

/** The workspace's public packages (name → folder), read from packages/*\/package.json. */
function publicPackages(): Map<string, string> {
  const out = new Map<string, string>();
  for (const entry of readdirSync(packagesDir)) {
    const file = join(packagesDir, entry, "package.json");
    if (!existsSync(file)) continue;
    const pkg = JSON.parse(readFileSync(file, "utf8")) as { name: string; private?: boolean };
    if (!pkg.private) out.set(pkg.name, join(packagesDir, entry));
  }
  return out;
}

function markdownFiles(): string[] {
  const files = [join(root, "README.md")];
  for (const entry of readdirSync(packagesDir)) {
    const readme = join(packagesDir, entry, "README.md");
    if (existsSync(readme)) files.push(readme);
  }
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (full !== join(root, "docs", "api") && entry.name !== "test") walk(full);
      } else if (entry.name.endsWith(".md")) files.push(full);
    }
  };
  walk(join(root, "docs"));
  return files;
}

const snippets = markdownFiles().flatMap((f) => extractSnippets(relative(root, f), readFileSync(f, "utf8")));
const packages = publicPackages();
const checked = snippets.filter((s) => s.mode !== "skip");
const runnable = snippets.filter((s) => s.mode === "run");
const temp = mkdtempSync(join(tmpdir(), "cairn-snippets-"));
const project = join(temp, "project");

/** Where a bare specifier's package lives: our packages, then the packages' and the root's node_modules. */
function packageDir(name: string): string | undefined {
  const own = packages.get(name);
  if (own) return own;
  for (const base of [...packages.values(), root]) {
    const dir = join(base, "node_modules", name);
    if (existsSync(dir)) return dir;
  }
  return undefined;
}

const packageName = (specifier: string) =>
  specifier.startsWith("@")
    ? specifier.split("/").slice(0, 2).join("/")
    : (specifier.split("/")[0] as string);

/**
 * A scratch project whose node_modules links every package a snippet imports (plus @types/node), as an app
 * that installed them would have; our packages resolve through their package.json exports to the built dist.
 */
function linkDependencies(codes: string[]): void {
  const names = new Set(["@types/node"]);
  for (const code of codes) {
    for (const m of code.matchAll(/(?:\bfrom\s+|\bimport\s*\(\s*|^\s*import\s+)["']([^."'/][^"']*)["']/gm)) {
      if (!(m[1] as string).startsWith("node:")) names.add(packageName(m[1] as string));
    }
  }
  for (const name of names) {
    const target = packageDir(name);
    if (!target)
      throw new Error(`a documentation snippet imports ${name}, which no workspace package depends on`);
    const link = join(project, "node_modules", name);
    mkdirSync(dirname(link), { recursive: true });
    symlinkSync(target, link, "dir");
  }
}

const fileOf = (s: Snippet) => join(project, "snippets", `${s.where.replace(/[/:.]/g, "_")}.ts`);

describe("documentation snippets", () => {
  beforeAll(() => {
    mkdirSync(join(project, "snippets"), { recursive: true });
    linkDependencies(checked.map((s) => s.code));
    for (const [name, dir] of packages) {
      if (!existsSync(join(dir, "dist", "index.d.ts"))) {
        throw new Error(
          `${name} is not built (${relative(root, dir)}/dist is missing): run npm run build first`,
        );
      }
    }
    const list = snippets.map(
      (s) => `  ${s.mode.padEnd(5)} ${s.where}${s.skipReason ? ` (${s.skipReason})` : ""}`,
    );
    console.log(
      `doc snippets: ${snippets.length} found, ${checked.length} type-checked, ${runnable.length} run, ` +
        `${snippets.length - checked.length} skipped\n${list.join("\n")}`,
    );
  });
  afterAll(() => rmSync(temp, { recursive: true, force: true }));

  it("finds the snippets", () => {
    expect(snippets.length).toBeGreaterThan(20);
  });

  it("every snippet type-checks against the built packages", () => {
    const files = new Map(checked.map((s) => [fileOf(s), s]));
    for (const [file, s] of files) writeFileSync(file, s.code);
    const options: ts.CompilerOptions = {
      target: ts.ScriptTarget.ES2022,
      lib: ["lib.es2023.d.ts", "lib.dom.d.ts"],
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      types: ["node"],
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      esModuleInterop: true,
      allowUnusedLabels: false,
    };
    const host = ts.createCompilerHost(options);
    const program = ts.createProgram([...files.keys()], options, host);
    const problems = ts
      .getPreEmitDiagnostics(program)
      .filter((d) => !d.file || files.has(d.file.fileName))
      .map((d) => {
        const text = ts.flattenDiagnosticMessageText(d.messageText, "\n");
        const s = d.file && files.get(d.file.fileName);
        if (!s || !d.file) return text;
        const { line } = d.file.getLineAndCharacterOfPosition(d.start ?? 0);
        const at =
          line < s.hidden
            ? `${s.where} (hidden setup line ${line + 1})`
            : `${s.where.replace(/:\d+$/, "")}:${s.firstLine + line - s.hidden}`;
        return `${at}: ${text}\n    ${s.code.split("\n")[line] ?? ""}`;
      });
    expect(problems, `type errors in documentation snippets:\n${problems.join("\n")}`).toEqual([]);
  });

  it.each(runnable.map((s) => [s.where, s] as const))("runs %s", async (_where, s) => {
    const dir = join(temp, "run", s.where.replace(/[/:.]/g, "_"));
    mkdirSync(dir, { recursive: true });
    symlinkSync(join(project, "node_modules"), join(dir, "node_modules"), "dir");
    const js = ts.transpileModule(s.code, {
      compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext },
    }).outputText;
    writeFileSync(join(dir, "snippet.mjs"), js);
    await expect(exec(process.execPath, ["snippet.mjs"], { cwd: dir })).resolves.toBeDefined();
  });
});
