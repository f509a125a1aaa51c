/**
 * A fake Hugging Face hub on loopback: serves a model directory under `/<org>/<name>/resolve/<revision>/<file>`
 * (the hub's download URLs, which core requests when `remoteHost` points here), counts requests, and can be
 * made slow or black-holed (accepts connections, never answers) to test timeouts.
 */
import { createReadStream, statSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createServer as createNetServer } from "node:net";
import type { AddressInfo } from "node:net";
import { join, normalize, sep } from "node:path";

/** How the hub answers. */
export type FakeHubMode = "normal" | "slow" | "blackhole";

/**
 * Options of {@link startFakeHub}.
 * @example await startFakeHub({ dir: tinyModelDir, model: "Xenova/all-MiniLM-L6-v2" })
 */
export interface FakeHubOptions {
  /** The model directory to serve (files at its root, `onnx/` below). */
  dir: string;
  /** Hub id it is served under. Default `Xenova/all-MiniLM-L6-v2`. */
  model?: string;
  /** Default `normal`. */
  mode?: FakeHubMode;
  /** Delay before answering in `slow` mode, in ms. Default 500. */
  delayMs?: number;
}

/** A running fake hub. */
export interface FakeHub {
  /** Base URL with a trailing slash, e.g. `http://127.0.0.1:40123/`. */
  url: string;
  /** Every request as `METHOD path` (with ` range=…` when ranged), in arrival order. */
  requests: string[];
  /** Requests received so far. */
  count(): number;
  /** Changes how later requests are answered. */
  setMode(mode: FakeHubMode, delayMs?: number): void;
  /** Stops the server and drops open connections. */
  close(): Promise<void>;
}

/** Starts a fake hub on 127.0.0.1 with an ephemeral port. */
export async function startFakeHub(options: FakeHubOptions): Promise<FakeHub> {
  const prefix = `/${options.model ?? "Xenova/all-MiniLM-L6-v2"}/resolve/`;
  const root = normalize(options.dir);
  const requests: string[] = [];
  let mode: FakeHubMode = options.mode ?? "normal";
  let delayMs = options.delayMs ?? 500;

  const serve = (req: IncomingMessage, res: ServerResponse) => {
    const path = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
    // /<org>/<name>/resolve/<revision>/<file...>
    const rest = path.startsWith(prefix) ? path.slice(prefix.length).split("/").slice(1).join("/") : "";
    const file = normalize(join(root, rest));
    const stat = rest && file.startsWith(root + sep) ? statSync(file, { throwIfNoEntry: false }) : undefined;
    if (!stat?.isFile()) {
      res.writeHead(404, { "content-type": "text/plain" }).end("Entry not found");
      return;
    }
    const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? "");
    if (range) {
      const start = Number(range[1]);
      const end = Math.min(range[2] ? Number(range[2]) : stat.size - 1, stat.size - 1);
      res.writeHead(206, {
        "content-length": String(end - start + 1),
        "content-range": `bytes ${start}-${end}/${stat.size}`,
        "accept-ranges": "bytes",
      });
      createReadStream(file, { start, end }).pipe(res);
      return;
    }
    res.writeHead(200, { "content-length": String(stat.size), "accept-ranges": "bytes" });
    createReadStream(file).pipe(res);
  };

  const server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}${req.headers.range ? ` range=${req.headers.range}` : ""}`);
    if (mode === "blackhole") return; // never answer; close() drops the socket
    if (mode === "slow") setTimeout(() => serve(req, res), delayMs);
    else serve(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    requests,
    count: () => requests.length,
    setMode(next, ms) {
      mode = next;
      if (ms !== undefined) delayMs = ms;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * A loopback URL nothing listens on (connections are refused at once): binds an ephemeral port, then frees it.
 * @example const remoteHost = await closedLoopbackUrl(); // "http://127.0.0.1:39999/"
 */
export async function closedLoopbackUrl(): Promise<string> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/`;
}
