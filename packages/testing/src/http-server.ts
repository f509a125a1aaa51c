/**
 * A `cairn` server on loopback for HTTP-backed test suites: a temp folder, `startServer` on a free port, and
 * `HttpClient`s connected to it; `close()` closes every client, the server, and removes the folder.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type CairnClient, HttpClient } from "@cairndb/core";
import { startServer } from "@cairndb/server";

/** A running test server. */
export interface TestServer {
  port: number;
  /** A new HttpClient connected to the server (closed by `close()`). */
  connect(): CairnClient;
  close(): Promise<void>;
}

/** Starts a server on a free loopback port over a fresh temp folder. */
export async function startTestServer(prefix = "cairn-http-"): Promise<TestServer> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const running = await startServer({ path: dir, port: 0 });
  const clients: CairnClient[] = [];
  return {
    port: running.port,
    connect() {
      const client = new HttpClient({ host: "127.0.0.1", port: running.port });
      clients.push(client);
      return client;
    },
    async close() {
      await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
      await running.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
