/**
 * Cold start and append, each in a new process that holds the data: forked op-child.mjs for embedded drivers,
 * the server process for server drivers (their open() spawns it). In-process mode (the smoke test) runs the
 * same operations inline.
 */
import { fork } from "node:child_process";
import { once } from "node:events";
import { readQueries } from "../data/dataset.mjs";
import { childExecArgv } from "./context.mjs";
import { appendRecords, openAndQuery } from "./ops.mjs";

const inline = (driver, job) => driver.kind === "server" || job.inProcess;

async function forkOp(args) {
  const start = performance.now();
  const child = fork(new URL("./op-child.mjs", import.meta.url), [JSON.stringify(args)], {
    execArgv: childExecArgv(`${args.driver}-${args.op}`),
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const exited = once(child, "exit");
  const [message] = await Promise.race([
    once(child, "message"),
    exited.then(([code]) => {
      throw new Error(`${args.op} child of ${args.driver} exited with ${code} before replying`);
    }),
  ]);
  const ms = performance.now() - start;
  const [code] = await exited;
  if (code !== 0) throw new Error(`${args.op} child of ${args.driver} exited with ${code}`);
  return { ...message, ms: message.ms ?? ms, wallMs: ms };
}

/** Time from starting the process that holds the data to the first query result. */
export async function coldStart(driver, ctx, job) {
  if (!inline(driver, job)) {
    const r = await forkOp({ op: "cold", driver: job.driver, dataDir: job.dataDir, dir: job.dir, k: job.k });
    return { ms: r.wallMs, labels: r.labels, sinceProcessStartMs: r.sinceProcessStartMs };
  }
  const [query] = readQueries(job.dataDir, ctx.manifest, 1);
  const start = performance.now();
  const { labels, close } = await openAndQuery(driver, ctx, query, job.k);
  const ms = performance.now() - start;
  await close();
  return { ms, labels };
}

/** Bytes written by the data process while `count` records are appended to the persisted collection. */
export async function appendInNewProcess(driver, ctx, job, count) {
  if (!inline(driver, job)) {
    const r = await forkOp({ op: "append", driver: job.driver, dataDir: job.dataDir, dir: job.dir, count });
    return { records: r.records, ms: r.ms, io: r.io };
  }
  return appendRecords(driver, ctx, count);
}
