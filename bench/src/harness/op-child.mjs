/**
 * A fresh process for one operation on a persisted collection (argv[2]: JSON { op, driver, dataDir, dir, k }).
 * "cold": open + first query, reply at once (the parent times fork → reply), then close.
 * "append": append the extra records and reply with the bytes written.
 */
import { readQueries } from "../data/dataset.mjs";
import { loadContext } from "./context.mjs";
import { appendRecords, openAndQuery } from "./ops.mjs";

const send = (message) => new Promise((resolve) => process.send(message, resolve));
const job = JSON.parse(process.argv[2]);
const { driver, ctx } = await loadContext(job);
if (job.op === "cold") {
  const [query] = readQueries(job.dataDir, ctx.manifest, 1);
  const { labels, close } = await openAndQuery(driver, ctx, query, job.k);
  await send({ type: "result", labels, sinceProcessStartMs: performance.now() });
  await close();
} else if (job.op === "append") {
  await send({ type: "result", ...(await appendRecords(driver, ctx, job.count)) });
} else {
  throw new Error(`unknown op ${job.op}`);
}
process.disconnect();
