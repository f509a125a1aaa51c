import { defineClientSuite } from "@cairndb/testing";
import { describe, vi } from "vitest";
import { openClient, SERVER_URL } from "./harness";

// PGlite runs Postgres in WASM on one thread: the suite's 40,000-record scenario takes ~25 s there alone.
vi.setConfig({ testTimeout: 180_000, hookTimeout: 180_000 });

defineClientSuite({
  name: "PostgresClient (PGlite)",
  create: () => openClient("pglite"),
});

if (SERVER_URL) {
  defineClientSuite({
    name: "PostgresClient (server)",
    create: () => openClient("server"),
  });
} else {
  describe.skip("PostgresClient (server): set CAIRN_TEST_POSTGRES_URL to run the suite on a real PostgreSQL", () => {});
}
