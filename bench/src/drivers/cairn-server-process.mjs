/**
 * The Cairn server process of the cairn-server driver: `startServer({ path, host, port: 0 })` from
 * @cairndb/server. Tells its parent the URL; on "close" stops, reports its own I/O counters and peak RSS, exits.
 */
import { startServer } from "@cairndb/server";
import { ioOf, ownPeakRss } from "../metrics/proc.mjs";

const server = await startServer({ path: process.argv[2], host: "127.0.0.1", port: 0 });
process.send({ type: "ready", url: server.url, port: server.port });
process.on("message", async (message) => {
  if (message?.type === "rss") process.send({ type: "rss", peakRss: ownPeakRss() });
  if (message?.type !== "close") return;
  await server.close();
  process.send({ type: "closed", io: ioOf(), peakRss: ownPeakRss() }, () => process.exit(0));
});
