/** PostgresClient's options and failure modes: bad options, an unreachable server, a closed client. */
import { type CairnError, ConnectionError, InvalidArgumentError } from "@cairndb/core";
import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { PostgresClient } from "../src";
import { openClient } from "./harness";

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe("PostgresClient options", () => {
  it("needs exactly one of connectionString, pool or pglite", () => {
    expect(() => new PostgresClient({})).toThrow(/pass one of connectionString, pool or pglite/);
    expect(
      () => new PostgresClient({ connectionString: "postgres://x@127.0.0.1/db", pglite: {} as never }),
    ).toThrow(/only one of .*connectionString and pglite/);
  });

  it("rejects unknown options with a hint, bad schema names and bad numbers", () => {
    try {
      new PostgresClient({ connectionString: "postgres://x@127.0.0.1/db", schemaa: "x" } as never);
      expect.unreachable();
    } catch (error) {
      expect((error as CairnError).code).toBe("UNKNOWN_OPTION");
      expect((error as Error).message).toContain("schema");
    }
    expect(
      () => new PostgresClient({ connectionString: "postgres://x@127.0.0.1/db", schema: 'a"; DROP' }),
    ).toThrow(InvalidArgumentError);
    expect(
      () => new PostgresClient({ connectionString: "postgres://x@127.0.0.1/db", exactThreshold: 0 }),
    ).toThrow(/exactThreshold: expected a positive integer/);
  });

  it("an unreachable server is CONNECTION_FAILED, and the client works once it can connect", async () => {
    const port = await closedPort();
    const client = new PostgresClient({ connectionString: `postgres://postgres@127.0.0.1:${port}/none` });
    const error = await client.heartbeat().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as CairnError).code).toBe("CONNECTION_FAILED");
    expect((error as Error).message).toContain("cannot reach PostgreSQL");
    await client.close();
  });

  it("a closed client refuses calls with CLIENT_CLOSED; reset needs allowReset", async () => {
    const env = await openClient("pglite");
    await expect(env.client.reset()).rejects.toMatchObject({ code: "RESET_DISABLED" });
    await env.client.createCollection({ name: "kept", embeddingFunction: null });
    const reopened = await env.reopen();
    expect((await reopened.listCollections()).map((c) => c.name)).toEqual(["kept"]);
    await env.client.close();
    await expect(env.client.countCollections()).rejects.toMatchObject({ code: "CLIENT_CLOSED" });
    await env.cleanup();
  });
});
