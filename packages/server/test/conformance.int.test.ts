/**
 * The shared client conformance suite through HTTP: HttpClient → (a) an in-process `startServer` (a fresh
 * server and folder per test), (b) a spawned `cairn run` process (one process; each test gets its own tenant,
 * so tests stay independent). Same scenarios, same codes, same error classes as the embedded clients.
 */
import { HttpClient } from "@cairndb/core";
import { defineClientSuite } from "@cairndb/testing";
import { afterAll, beforeAll, expect } from "vitest";
import { startServer } from "../src";
import { type CairnProcess, spawnCairn, tempDir } from "./helpers";

defineClientSuite({
  name: "HttpClient → startServer",
  async create() {
    const { dir, remove } = tempDir("cairn-http-conf-");
    const server = await startServer({ path: dir, port: 0 });
    const client = new HttpClient({ path: server.url });
    return {
      client,
      reopen: async () => new HttpClient({ path: server.url }),
      cleanup: async () => {
        await client.close();
        await server.close();
        remove();
      },
    };
  },
});

let cli: CairnProcess;
let cliDir: ReturnType<typeof tempDir>;
let tenants = 0;

beforeAll(async () => {
  cliDir = tempDir("cairn-cli-conf-");
  cli = await spawnCairn(cliDir.dir, ["--log-level", "warn"]);
});

afterAll(async () => {
  expect(await cli.stop("SIGTERM")).toBe(0);
  cliDir.remove();
});

defineClientSuite({
  name: "HttpClient → cairn run (process)",
  async create() {
    // A tenant per test isolates it: the suite lists collections and databases and expects only its own.
    const tenant = `conformance-${++tenants}`;
    const admin = new HttpClient({ path: cli.url });
    await admin.createTenant({ name: tenant });
    await admin.createDatabase({ tenant, name: "default_database" });
    await admin.close();
    const client = new HttpClient({ path: cli.url, tenant });
    return {
      client,
      reopen: async () => new HttpClient({ path: cli.url, tenant }),
      cleanup: () => client.close(),
    };
  },
});
