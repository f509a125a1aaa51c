import { defineClientSuite } from "@cairndb/testing";
import { describe } from "vitest";
import { openClient, SERVER_URL } from "./harness";

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
  describe.skip("PostgresClient (server): set CAIRN_PG_URL to run the suite on a real PostgreSQL", () => {});
}
