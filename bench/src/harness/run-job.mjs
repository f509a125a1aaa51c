/** Runs a job in its own child process (job-child.mjs), or inline for the smoke test. */
import { fork } from "node:child_process";
import { once } from "node:events";
import { childExecArgv } from "./context.mjs";
import { runJob } from "./job.mjs";

/** @param {import("./job.mjs").Job} job */
export async function runJobIsolated(job, log) {
  if (job.inProcess) return runJob(job, log);
  const child = fork(new URL("./job-child.mjs", import.meta.url), [], {
    execArgv: childExecArgv(job.driver),
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  let outcome;
  child.on("message", (message) => {
    if (message.type === "log") log(message.line);
    else outcome = message;
  });
  child.send(job);
  const [code] = await once(child, "exit");
  if (outcome?.type === "result") return outcome.result;
  throw new Error(outcome?.message ?? `driver process of ${job.driver} exited with ${code} without a result`);
}
