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
  it("--help and no arguments print usage; version prints versions", async () => {
    for (const args of [["--help"], []]) {
      const r = await cairn(args);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain("cairn run");
      expect(r.stdout).toContain("--allow-reset");
    }
    const v = await cairn(["version"]);
    expect(v.code).toBe(0);
    expect(v.stdout).toMatch(/^cairn \d+\.\d+\.\d+ \(@cairndb\/core \d+\.\d+\.\d+/);
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
      expect((await cairn(["models", "push"])).code).toBe(1);
    } finally {
      await hub.close();
      out.remove();
    }
  });
});
