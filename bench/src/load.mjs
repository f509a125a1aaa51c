#!/usr/bin/env node
/**
 * Load test (not part of the test suite): `autocannon` on loopback, 32 connections, a mixed workload of 80%
 * query / 20% add for `--duration` seconds (default 60; `--quick` 5) against `cairn run` (the built CLI) and the
 * real Chroma 1.0 server, each preloaded with the same records. Prints throughput, p50/p99 latency and errors,
 * then proves that every acknowledged add is present (a count, and a get of every acknowledged id).
 *
 *   node bench/src/load.mjs [--quick] [--duration 60] [--connections 32] [--records 5000] [--dim 128]
 *                           [--targets cairn,chroma]
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import { startChroma } from "./drivers/chroma.mjs";
import { freePort, stopProcess, waitForHttp } from "./drivers/spawn-util.mjs";

const CAIRN_CLI = fileURLToPath(new URL("../../packages/server/dist/cli.js", import.meta.url));
const DB = "/api/v2/tenants/default_tenant/databases/default_database";

function parseArgs(argv) {
  const opts = { duration: 60, connections: 32, records: 5000, dim: 128, targets: ["cairn", "chroma"] };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    const int = (name) => {
      const v = Number(value());
      if (!Number.isInteger(v) || v < 1) throw new Error(`${name}: expected a positive integer`);
      return v;
    };
    if (flag === "--quick") opts.duration = 5;
    else if (flag === "--duration") opts.duration = int("--duration");
    else if (flag === "--connections") opts.connections = int("--connections");
    else if (flag === "--records") opts.records = int("--records");
    else if (flag === "--dim") opts.dim = int("--dim");
    else if (flag === "--targets") opts.targets = value().split(",");
    else if (flag === "--help" || flag === "-h") {
      console.log(
        "node bench/src/load.mjs [--quick] [--duration s] [--connections n] [--records n] [--dim n] [--targets cairn,chroma]",
      );
      process.exit(0);
    } else throw new Error(`unknown option ${flag}`);
  }
  for (const t of opts.targets)
    if (t !== "cairn" && t !== "chroma") throw new Error(`--targets: unknown target ${t}`);
  return opts;
}

/** Deterministic pseudo-random vectors (mulberry32), the same for both servers. */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const vector = (next, dim) => Array.from({ length: dim }, () => next() * 2 - 1);

async function json(base, method, path, body) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status} ${text.slice(0, 300)}`);
  return text ? JSON.parse(text) : undefined;
}

async function startCairn(dir) {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [CAIRN_CLI, "run", "--path", dir, "--host", "127.0.0.1", "--port", String(port), "--log-level", "warn"],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  child.stderr.resume();
  await waitForHttp(`http://127.0.0.1:${port}/api/v2/heartbeat`, child);
  return { port, child };
}

async function preload(base, opts) {
  const col = await json(base, "POST", `${DB}/collections`, { name: "load" });
  const next = rng(42);
  for (let start = 0; start < opts.records; start += 500) {
    const ids = [];
    const embeddings = [];
    for (let i = start; i < Math.min(opts.records, start + 500); i++) {
      ids.push(`seed-${i}`);
      embeddings.push(vector(next, opts.dim));
    }
    await json(base, "POST", `${DB}/collections/${col.id}/add`, {
      ids,
      embeddings,
      metadatas: ids.map((_, i) => ({ n: start + i })),
    });
  }
  return col.id;
}

async function load(port, collectionId, opts) {
  const next = rng(7);
  const acked = [];
  let sent = 0;
  let queries = 0;
  let adds = 0;
  const base = `${DB}/collections/${collectionId}`;
  const result = await autocannon({
    url: `http://127.0.0.1:${port}`,
    connections: opts.connections,
    duration: opts.duration,
    headers: { "content-type": "application/json" },
    requests: [
      {
        method: "POST",
        setupRequest(req, context) {
          if (next() < 0.8) {
            queries++;
            context.add = undefined;
            return {
              ...req,
              path: `${base}/query`,
              body: JSON.stringify({
                query_embeddings: [vector(next, opts.dim)],
                n_results: 10,
                include: ["distances"],
              }),
            };
          }
          adds++;
          const id = `load-${sent++}`;
          context.add = id;
          return {
            ...req,
            path: `${base}/add`,
            body: JSON.stringify({ ids: [id], embeddings: [vector(next, opts.dim)], metadatas: [{ n: -1 }] }),
          };
        },
        onResponse(status, _body, context) {
          if (context.add !== undefined && status === 201) acked.push(context.add);
        },
      },
    ],
  });
  return { result, acked, queries, adds };
}

async function verify(base, collectionId, acked, records) {
  const count = await json(base, "GET", `${DB}/collections/${collectionId}/count`);
  let found = 0;
  for (let i = 0; i < acked.length; i += 1000) {
    const got = await json(base, "POST", `${DB}/collections/${collectionId}/get`, {
      ids: acked.slice(i, i + 1000),
      include: [],
    });
    found += got.ids.length;
  }
  return { count, found, expectedAtLeast: records + acked.length };
}

async function runTarget(name, opts) {
  const dir = mkdtempSync(join(tmpdir(), `cairn-load-${name}-`));
  const { port, child } = name === "cairn" ? await startCairn(dir) : await startChroma(dir);
  const base = `http://127.0.0.1:${port}`;
  try {
    console.error(`[${name}] preloading ${opts.records} × ${opts.dim}-d records…`);
    const collectionId = await preload(base, opts);
    console.error(`[${name}] ${opts.connections} connections, 80% query / 20% add, ${opts.duration} s…`);
    const { result, acked, queries, adds } = await load(port, collectionId, opts);
    const check = await verify(base, collectionId, acked, opts.records);
    return {
      name: name === "cairn" ? "cairn run" : "Chroma 1.0 (chroma run)",
      rps: result.requests.average,
      p50: result.latency.p50,
      p99: result.latency.p99,
      total: result.requests.total,
      queries,
      adds,
      acked: acked.length,
      non2xx: result.non2xx,
      errors: result.errors + result.timeouts,
      ...check,
    };
  } finally {
    await stopProcess(child, "SIGINT");
    rmSync(dir, { recursive: true, force: true });
  }
}

function table(rows, opts) {
  const head = `${opts.connections} connections, ${opts.duration} s, 80% query (n_results 10) / 20% add (1 record), ${opts.records} × ${opts.dim}-d records preloaded, loopback`;
  const lines = [
    head,
    "",
    "| server | req/s | p50 ms | p99 ms | requests | non-2xx | errors | acked adds | acked found | count ≥ preload + acked |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
  ];
  for (const r of rows)
    lines.push(
      `| ${r.name} | ${Math.round(r.rps)} | ${r.p50} | ${r.p99} | ${r.total} | ${r.non2xx} | ${r.errors} | ${r.acked} | ${r.found} | ${r.count >= r.expectedAtLeast ? "yes" : "NO"} (${r.count}) |`,
    );
  return lines.join("\n");
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const rows = [];
  for (const target of opts.targets) rows.push(await runTarget(target, opts));
  console.log(table(rows, opts));
  if (rows.some((r) => r.found !== r.acked || r.count < r.expectedAtLeast)) {
    console.error("an acknowledged add is missing");
    process.exit(1);
  }
}

main().catch((error) => {
  console.error(error?.stack ?? error);
  process.exit(1);
});
