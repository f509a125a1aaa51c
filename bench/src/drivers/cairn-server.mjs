/**
 * Cairn server: `startServer` from @cairndb/server in its own process (cairn-server-process.mjs), driven by
 * core's `HttpClient`. Skipped, with the reason printed, while @cairndb/server is not built.
 */
import { fork } from "node:child_process";
import { once } from "node:events";
import { peakRssOf } from "../metrics/proc.mjs";
import { collectionHandle } from "./cairn-embedded.mjs";
import { stopProcess } from "./spawn-util.mjs";

export const kind = "server";

export { indexBytes } from "./cairn-embedded.mjs";

/** Why the driver cannot run here, or null. */
export async function probe() {
  try {
    const server = await import("@cairndb/server");
    if (typeof server.startServer !== "function") return "@cairndb/server does not export startServer yet";
  } catch (error) {
    return `@cairndb/server is not built or not importable (${error?.code ?? "import failed"}); build it with \`pnpm build\``;
  }
  const core = await import("@cairndb/core");
  if (typeof core.HttpClient !== "function") return "@cairndb/core does not export HttpClient yet";
  return null;
}

export async function open(ctx) {
  const { HttpClient } = await import("@cairndb/core");
  const child = fork(new URL("./cairn-server-process.mjs", import.meta.url), [ctx.dir], {
    stdio: ["ignore", "ignore", "inherit", "ipc"],
  });
  const [ready] = await Promise.race([
    once(child, "message"),
    once(child, "exit").then(([code]) => {
      throw new Error(`cairn server exited with code ${code} before it was ready`);
    }),
  ]);
  const client = new HttpClient({ path: ready.url });
  const collection = ctx.fresh
    ? await client.createCollection({
        name: "bench",
        embeddingFunction: null,
        configuration: { hnsw: { space: "cosine" } },
      })
    : await client.getCollection({ name: "bench", embeddingFunction: null });
  const close = async () => {
    const closed = once(child, "message");
    child.send({ type: "close" });
    // A server that does not answer within 30 s is killed; its I/O counters are then unknown.
    let timer;
    const timeout = new Promise((resolve) => {
      timer = setTimeout(() => resolve([{}]), 30_000);
    });
    const [message] = await Promise.race([closed, timeout]);
    clearTimeout(timer);
    await stopProcess(child, "SIGTERM");
    return message?.io ?? null;
  };
  return collectionHandle(
    collection,
    close,
    () => child.pid,
    () => peakRssOf(child.pid),
  );
}
