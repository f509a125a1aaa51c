/** Helpers for drivers that run a server process: free ports, readiness polling, graceful stop. */
import { createServer } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { ioOf } from "../metrics/proc.mjs";

/** A TCP port that was free on 127.0.0.1 a moment ago. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Polls `url` until it answers 2xx; fails when `child` exits first or after `timeoutMs`. */
export async function waitForHttp(url, child, timeoutMs = 60_000) {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`server exited with code ${child.exitCode} before it was ready`);
    try {
      const response = await fetch(url);
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await sleep(5);
  }
  throw new Error(`server not ready after ${timeoutMs} ms: ${url}`);
}

/**
 * Waits until the process's written-bytes counter stops moving (background flushes done), then returns the
 * last reading: the way to attribute a server's writes to the request that caused them.
 */
export async function settledIo(pid, { quietMs = 750, maxMs = 15_000 } = {}) {
  let last = ioOf(pid);
  let stableSince = performance.now();
  const deadline = performance.now() + maxMs;
  while (performance.now() < deadline) {
    await sleep(125);
    const now = ioOf(pid);
    if (!now || !last) return now;
    if (now.writeBytes !== last.writeBytes || now.wchar !== last.wchar) {
      last = now;
      stableSince = performance.now();
    } else if (performance.now() - stableSince >= quietMs) {
      return now;
    }
  }
  return last;
}

/** Sends `signal` and waits for the exit; SIGKILL after `timeoutMs`. */
export async function stopProcess(child, signal = "SIGINT", timeoutMs = 15_000) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill(signal);
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  await exited;
  clearTimeout(timer);
}
