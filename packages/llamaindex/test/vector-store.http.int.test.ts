/**
 * The conformance suite against an HTTP-backed store: `@cairndb/server`'s `startServer` on loopback and core's
 * `HttpClient` passed as `client`. Both exports are being added in parallel; until they exist this file is
 * skipped, with the reason in the suite's name (checked at runtime by dynamic import, so the suite starts
 * running as soon as they land).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as core from "@cairndb/core";
import type { CairnClient } from "@cairndb/core";
import { afterAll, beforeAll, describe } from "vitest";
import { CairnVectorStore } from "../src";
import { embedModel } from "./helpers/nodes";
import { defineStoreSuite } from "./store-suite";

type HttpClientCtor = new (options: { host: string; port: number }) => CairnClient;
interface RunningServer {
  url: string;
  port: number;
  close(): Promise<void> | void;
}
type StartServer = (options: { path: string; port: number }) => Promise<RunningServer>;

// A variable specifier keeps the type checker from requiring a module that may not exist yet.
const serverModuleName = "@cairndb/server";
// Only "the module is not there" means "not available yet"; a module that exists but fails to load is a failure.
const server: Record<string, unknown> = await import(/* @vite-ignore */ serverModuleName).catch(
  (error: NodeJS.ErrnoException) => {
    const missing =
      error?.code === "ERR_MODULE_NOT_FOUND" ||
      /cannot find|failed to load|does not exist/i.test(String(error?.message));
    if (missing) return {};
    throw error;
  },
);
const HttpClient = (core as Record<string, unknown>).HttpClient as HttpClientCtor | undefined;
const startServer = server.startServer as StartServer | undefined;
const missing = [
  typeof HttpClient === "function" ? undefined : "HttpClient from @cairndb/core",
  typeof startServer === "function" ? undefined : "startServer from @cairndb/server",
].filter((x): x is string => x !== undefined);
const skipReason = missing.length > 0 ? `not available yet: ${missing.join(", ")}` : undefined;

describe.skipIf(skipReason !== undefined)(
  `HTTP-backed store${skipReason ? ` (skipped: ${skipReason})` : ""}`,
  () => {
    let dir: string;
    let running: RunningServer;
    const clients: CairnClient[] = [];
    const connect = (): CairnClient => {
      const client = new (HttpClient as HttpClientCtor)({ host: "127.0.0.1", port: running.port });
      clients.push(client);
      return client;
    };

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), "cairn-li-http-"));
      running = await (startServer as StartServer)({ path: dir, port: 0 });
    });
    afterAll(async () => {
      await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
      await running?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    defineStoreSuite("HttpClient → startServer (loopback)", async (collectionName) => {
      const client = connect();
      const store = new CairnVectorStore({ collectionName, client, embedModel });
      return {
        store,
        // A second client sees the same server-side collection.
        reopen: async () => new CairnVectorStore({ collectionName, client: connect(), embedModel }),
        cleanup: async () => {
          await client.deleteCollection({ name: collectionName }).catch(() => undefined);
        },
      };
    });
  },
);
