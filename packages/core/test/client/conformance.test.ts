import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EphemeralClient, PersistentClient } from "@cairndb/core";
import { defineClientSuite } from "@cairndb/testing";

defineClientSuite({
  name: "EphemeralClient",
  async create() {
    const client = new EphemeralClient();
    return { client, cleanup: () => client.close() };
  },
});

defineClientSuite({
  name: "PersistentClient",
  async create() {
    const dir = mkdtempSync(join(tmpdir(), "cairn-conf-"));
    const client = new PersistentClient({ path: dir });
    return {
      client,
      reopen: async () => new PersistentClient({ path: dir }),
      cleanup: async () => {
        await client.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
});
