/**
 * Runs examples/server-with-chromadb-client (`npm start` = `node index.mjs`): Cairn's server with the official
 * chromadb client, offline. Uses the built packages, like a user would.
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { beforeAll, expect, it } from "vitest";
import { ensureBuilt } from "../packages/server/test/helpers";

const dir = fileURLToPath(new URL("./server-with-chromadb-client/", import.meta.url));

beforeAll(() => ensureBuilt());

it("server-with-chromadb-client: the chromadb client queries a Cairn server with a filter", () => {
  const run = spawnSync(process.execPath, ["index.mjs"], { cwd: dir, encoding: "utf8", timeout: 60_000 });
  expect(run.status, run.stderr).toBe(0);
  const lines = run.stdout.trim().split("\n");
  expect(lines[0]).toMatch(/^cairn server at http:\/\/127\.0\.0\.1:\d+$/);
  expect(lines[1]).toBe("collection 'articles': 4 records");
  // Nearest first; only the "databases" articles from 2021 on pass the filter.
  expect(lines.slice(2).map((l) => l.split(/\s+/)[1])).toEqual(["sqlite-wal", "hnsw-intro"]);
  expect(lines[2]).toMatch(/^0\.0300 /);
});
