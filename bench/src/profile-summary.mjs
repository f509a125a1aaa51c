#!/usr/bin/env node
/**
 * Summarises a V8 CPU profile (from `pnpm bench --profile` or `node --cpu-prof`): self time and inclusive
 * ("total") time per function, heaviest first. `node src/profile-summary.mjs <file.cpuprofile> [top]`
 */
import { readFileSync } from "node:fs";
import { basename } from "node:path";

const [file, topArg = "30"] = process.argv.slice(2);
if (!file) {
  console.error("usage: node src/profile-summary.mjs <file.cpuprofile> [top]");
  process.exit(2);
}
const profile = JSON.parse(readFileSync(file, "utf8"));
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const selfUs = new Map();
const deltas = profile.timeDeltas;
for (let i = 0; i < profile.samples.length; i++)
  selfUs.set(profile.samples[i], (selfUs.get(profile.samples[i]) ?? 0) + (deltas[i] ?? 0));

const keyOf = (n) => {
  const f = n.callFrame;
  return `${f.functionName || "(anonymous)"} ${f.url ? `${basename(f.url)}:${f.lineNumber + 1}` : ""}`.trim();
};
const self = new Map();
const total = new Map();
function walk(node, onStack) {
  const key = keyOf(node);
  const own = selfUs.get(node.id) ?? 0;
  self.set(key, (self.get(key) ?? 0) + own);
  let sum = own;
  const fresh = !onStack.has(key);
  if (fresh) onStack.add(key);
  for (const child of node.children ?? []) sum += walk(byId.get(child), onStack);
  if (fresh) {
    onStack.delete(key);
    total.set(key, (total.get(key) ?? 0) + sum);
  }
  return sum;
}
const all = walk(profile.nodes[0], new Set());
const top = Number(topArg);
const print = (title, map) => {
  console.log(`\n${title} (of ${(all / 1000).toFixed(0)} ms)`);
  for (const [key, us] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(
      `${(us / 1000).toFixed(1).padStart(9)} ms ${((100 * us) / all).toFixed(1).padStart(5)}%  ${key}`,
    );
  }
};
print("self time", self);
print("total time", total);
