/** The process one driver runs in: receives a job over IPC, streams progress lines, replies with the result. */
import { runJob } from "./job.mjs";

const send = (message) => new Promise((resolve) => process.send(message, resolve));

process.once("message", async (job) => {
  try {
    const result = await runJob(job, (line) => process.send({ type: "log", line }));
    await send({ type: "result", result });
  } catch (error) {
    await send({ type: "error", message: String(error?.stack ?? error) });
  }
  process.disconnect();
});
