import { InvalidArgumentError } from "@cairndb/core";
import { describe, expect, it } from "vitest";
import { startServer } from "../src/server";

describe("startServer options", () => {
  it("rejects a misspelt option before opening anything, with a did-you-mean hint", async () => {
    const error = await startServer({ path: "unused", prot: 0 } as never).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect(error).toMatchObject({
      code: "UNKNOWN_OPTION",
      message: expect.stringContaining('startServer: unknown option "prot". Did you mean "port"?'),
      details: { path: "startServer", key: "prot" },
    });
  });
});
