/**
 * The `cairn` binary: help, version, usage errors, a port already in use, and `models pull` against a fake
 * model hub on loopback (no internet).
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { PersistentClient } from "@cairndb/core";
import { startFakeHub } from "@cairndb/testing";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { CLI, ensureBuilt, spawnCairn, tempDir } from "./helpers";

function cairn(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const proc = spawn(process.execPath, [CLI, ...args], {
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    proc.stdout.setEncoding("utf8").on("data", (c: string) => {
      stdout += c;
    });
    proc.stderr.setEncoding("utf8").on("data", (c: string) => {
      stderr += c;
    });
    proc.on("exit", (code) => resolve({ code, stdout, stderr }));
  });
}

beforeAll(() => ensureBuilt());

describe("cairn CLI", () => {
  it("--help, -h and no arguments print usage; every command has --help; version prints versions", async () => {
    for (const args of [["--help"], ["-h"], []]) {
      const r = await cairn(args);
      expect(r.code).toBe(0);
      for (const command of ["run", "models", "vacuum", "backup", "restore", "check", "version"])
        expect(r.stdout).toContain(command);
      expect(r.stdout).toContain("npx @cairndb/server run");
    }
    for (const args of [
      ["run", "--help"],
      ["run", "-h"],
      ["help", "run"],
    ]) {
      const r = await cairn(args);
      expect(r.code, args.join(" ")).toBe(0);
      expect(r.stdout).toContain("Usage: cairn run");
      for (const flag of ["--path", "--host", "--port", "--allow-reset", "--log-level", "--max-body-mb"])
        expect(r.stdout).toContain(flag);
      expect(r.stdout).toContain("--on-duplicate <mode>");
    }
    for (const args of [
      ["models", "pull", "--help"],
      ["vacuum", "-h"],
      ["version", "--help"],
      ["models", "-h"],
    ]) {
      const r = await cairn(args);
      expect(r.code, args.join(" ")).toBe(0);
      expect(r.stdout).toContain(`Usage: cairn ${args.slice(0, -1).join(" ")}`);
    }
    for (const args of [["version"], ["--version"], ["-v"]]) {
      const v = await cairn(args);
      expect(v.code).toBe(0);
      expect(v.stdout).toMatch(/^cairn \d+\.\d+\.\d+ \(@cairndb\/core \d+\.\d+\.\d+/);
    }
  });

  it("unknown commands and options are usage errors (exit 2) with a suggestion", async () => {
    const typo = await cairn(["rn"]);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain("unknown command 'rn'");
    expect(typo.stderr).toContain("Did you mean run?");
    const option = await cairn(["run", "--allow-rest"]);
    expect(option.code).toBe(2);
    expect(option.stderr).toContain("Did you mean --allow-reset?");
    const missing = await cairn(["run", "--port"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("argument missing");
    expect((await cairn(["models"])).code).toBe(2);
    expect((await cairn(["version", "extra"])).code).toBe(2);
  });

  it("usage errors exit 2; invalid values exit 1 with the error code", async () => {
    expect((await cairn(["frobnicate"])).code).toBe(2);
    const flag = await cairn(["run", "--no-such-flag"]);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain("--help");
    const port = await cairn(["run", "--port", "99999"]);
    expect(port.code).toBe(1);
    expect(port.stderr).toContain("INVALID_ARGUMENT");
    const level = await cairn(["run", "--log-level", "loud"]);
    expect(level.code).toBe(1);
    const duplicates = await cairn(["run", "--on-duplicate", "skip"]);
    expect(duplicates.code).toBe(1);
    expect(duplicates.stderr).toContain("--on-duplicate");
  });

  it("vacuum compacts a database in place and keeps every record", async () => {
    const { dir, remove } = tempDir("cairn-vacuum-");
    const client = new PersistentClient({ path: dir });
    const col = await client.createCollection({ name: "churn", embeddingFunction: null });
    const ids = Array.from({ length: 300 }, (_, i) => `id${i}`);
    for (let pass = 0; pass < 5; pass++) {
      await col.upsert({
        ids,
        embeddings: ids.map((_, i) => [i, pass, 1]),
        documents: ids.map((id) => `${id} pass ${pass} ${"x".repeat(200)}`),
      });
      await col.delete({ ids: ids.slice(0, 150) });
    }
    await client.close();
    const r = await cairn(["vacuum", "--path", dir]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^vacuumed .+ MiB → .+ MiB/);
    const reopened = new PersistentClient({ path: dir });
    const again = await reopened.getCollection({ name: "churn" });
    expect(await again.count()).toBe(150);
    expect((await again.query({ queryEmbeddings: [[299, 4, 1]], nResults: 1 })).ids).toEqual([["id299"]]);
    await reopened.close();
    expect((await cairn(["vacuum", "--bogus"])).code).toBe(2);
    remove();
  });

  it("a port already in use fails fast with a message", async () => {
    const dirs = [tempDir("cairn-port-a-"), tempDir("cairn-port-b-")];
    const first = await spawnCairn(dirs[0]!.dir);
    const second = await cairn(["run", "--path", dirs[1]!.dir, "--port", String(first.port)]);
    expect(second.code).toBe(1);
    expect(second.stderr).toContain("EADDRINUSE");
    expect(await first.stop()).toBe(0);
    for (const d of dirs) d.remove();
  });

  it("models pull downloads and verifies the model into --dir", async () => {
    const hub = await startFakeHub({ dir: inject("tinyModelDir") });
    const out = tempDir("cairn-models-");
    try {
      const r = await cairn(["models", "pull", "--dir", out.dir], { CAIRN_HF_ENDPOINT: hub.url });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain("Model ready");
      expect(r.stdout).toContain("384 dims");
      expect(existsSync(join(out.dir, "Xenova/all-MiniLM-L6-v2/config.json"))).toBe(true);
      expect(hub.count()).toBeGreaterThan(0);
      const bad = await cairn(["models", "pull", "--dtype", "fp64"]);
      expect(bad.code).toBe(1);
      expect((await cairn(["models", "push"])).code).toBe(2); // unknown subcommand: a usage error
    } finally {
      await hub.close();
      out.remove();
    }
  });
});
