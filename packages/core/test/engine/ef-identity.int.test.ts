/**
 * The embedding function is persisted with the collection: another process rebuilds it, a conflicting one is
 * an error, an unknown one is a clear error when texts are given — never the default model by accident.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { DefaultEmbeddingFunction, HashEmbeddingFunction, PersistentClient } from "@cairndb/core";
import { expectCode } from "@cairndb/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const CHILD = fileURLToPath(new URL("../fixtures/ef-child.mjs", import.meta.url));
let path: string;
let client: PersistentClient;

beforeAll(() => {
  path = mkdtempSync(join(tmpdir(), "cairn-ef-"));
  const child = spawnSync(process.execPath, [CHILD, path], { encoding: "utf8" });
  expect(child.status, child.stderr).toBe(0);
  client = new PersistentClient({ path });
});
afterAll(async () => {
  await client.close();
  rmSync(path, { recursive: true, force: true });
});

describe("embedding function identity across processes", () => {
  it("rebuilds a built-in EF from the stored configuration", async () => {
    const col = await client.getCollection({ name: "hashed" });
    expect(col.embeddingFunction?.name).toBe("hash");
    expect(col.configuration.embedding_function).toEqual({
      type: "known",
      name: "hash",
      config: { dimension: 64 },
    });
    const r = await col.query({ queryTexts: ["Who created Python?"], nResults: 1 });
    expect(r.ids).toEqual([["py"]]);
  });

  it("rejects a conflicting EF with a message naming both", async () => {
    const error = await expectCode(
      client.getCollection({ name: "hashed", embeddingFunction: new DefaultEmbeddingFunction() }),
      "EMBEDDING_FUNCTION_CONFLICT",
    );
    expect(error.message).toContain("hash(64 dims)");
    expect(error.message).toContain("all-MiniLM-L6-v2");
    const same = await client.getCollection({
      name: "hashed",
      embeddingFunction: new HashEmbeddingFunction({ dimension: 64 }),
    });
    expect(await same.count()).toBe(2);
  });

  it("an EF this process has not registered is a clear error when texts are given, vectors still work", async () => {
    const col = await client.getCollection({ name: "custom" });
    expect(col.embeddingFunction).toBeUndefined();
    const error = await expectCode(col.query({ queryTexts: ["HI"] }), "EMBEDDING_FUNCTION_MISSING");
    expect(error.message).toContain('"shout"');
    expect(error.message).toContain("embeddingFunctions");
    expect((await col.query({ queryEmbeddings: [[5, 1, 1]], nResults: 1 })).ids).toEqual([["a"]]);
  });

  it("registering the class rebuilds it", async () => {
    class ShoutEmbeddingFunction {
      name = "shout";
      static buildFromConfig() {
        return new ShoutEmbeddingFunction();
      }
      getConfig() {
        return { version: 1 };
      }
      async generate(texts: string[]) {
        return texts.map((t) => [t.length, t.toUpperCase() === t ? 1 : 0, 1]);
      }
    }
    const other = new PersistentClient({ path, embeddingFunctions: { shout: ShoutEmbeddingFunction } });
    const col = await other.getCollection({ name: "custom" });
    expect((await col.query({ queryTexts: ["HELLO"], nResults: 1 })).ids).toEqual([["a"]]);
    await other.close();
  });

  it("a vectors-only collection stays vectors-only", async () => {
    const col = await client.getCollection({ name: "vectors" });
    expect(col.configuration.embedding_function).toBeNull();
    await expect(col.add({ ids: ["t"], documents: ["text"] })).rejects.toMatchObject({
      code: "EMBEDDING_FUNCTION_MISSING",
    });
  });
});
