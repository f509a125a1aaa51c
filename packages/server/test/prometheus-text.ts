/**
 * A small strict parser of the Prometheus text exposition format (version 0.0.4), for tests: it rejects what
 * Prometheus would reject (bad names, bad escapes, samples without a TYPE, duplicate series, non-cumulative
 * histogram buckets, a `+Inf` bucket that differs from `_count`).
 */

export type MetricType = "counter" | "gauge" | "histogram" | "summary" | "untyped";

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Family {
  name: string;
  type: MetricType;
  help: string;
  samples: Sample[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set(["counter", "gauge", "histogram", "summary", "untyped"]);
const SUFFIXES: Record<MetricType, string[]> = {
  counter: [""],
  gauge: [""],
  untyped: [""],
  histogram: ["_bucket", "_sum", "_count"],
  summary: ["", "_sum", "_count"],
};

function fail(line: number, message: string): never {
  throw new Error(`line ${line}: ${message}`);
}

/** Values as Prometheus reads them (Go's ParseFloat: `NaN` and `Inf` in any case, e.g. prom-client's `Nan`). */
function parseValue(raw: string, line: number): number {
  const lower = raw.toLowerCase();
  if (lower === "+inf" || lower === "inf") return Number.POSITIVE_INFINITY;
  if (lower === "-inf") return Number.NEGATIVE_INFINITY;
  if (lower === "nan") return Number.NaN;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(raw)) fail(line, `bad value ${JSON.stringify(raw)}`);
  return Number(raw);
}

function parseLabels(text: string, line: number): [Record<string, string>, string] {
  const labels: Record<string, string> = {};
  let i = 0;
  for (;;) {
    while (text[i] === " ") i++;
    if (text[i] === "}") return [labels, text.slice(i + 1)];
    const eq = text.indexOf("=", i);
    if (eq < 0) fail(line, "label without =");
    const name = text.slice(i, eq).trim();
    if (!LABEL.test(name) || name.startsWith("__")) fail(line, `bad label name ${JSON.stringify(name)}`);
    if (name in labels) fail(line, `duplicate label ${name}`);
    i = eq + 1;
    if (text[i] !== '"') fail(line, "label value must be quoted");
    i++;
    let value = "";
    for (;;) {
      const ch = text[i];
      if (ch === undefined) fail(line, "unterminated label value");
      if (ch === '"') break;
      if (ch === "\\") {
        const next = text[i + 1];
        if (next === "\\") value += "\\";
        else if (next === '"') value += '"';
        else if (next === "n") value += "\n";
        else fail(line, `bad escape \\${next}`);
        i += 2;
        continue;
      }
      value += ch;
      i++;
    }
    labels[name] = value;
    i++;
    while (text[i] === " ") i++;
    if (text[i] === ",") i++;
    else if (text[i] !== "}") fail(line, "expected , or } after a label");
  }
}

/** Parses an exposition; throws on the first violation with its line number. */
export function parsePrometheusText(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  const seen = new Set<string>();
  if (text.length > 0 && !text.endsWith("\n")) fail(0, "the exposition must end with a newline");
  const lines = text.split("\n");
  lines.forEach((raw, index) => {
    const n = index + 1;
    if (raw.trim() === "") return;
    if (raw.startsWith("#")) {
      const m = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(raw);
      if (!m) return; // a comment
      const [, kind, name, rest] = m as unknown as [string, string, string, string];
      if (!NAME.test(name)) fail(n, `bad metric name ${name}`);
      const family = families.get(name) ?? { name, type: "untyped" as MetricType, help: "", samples: [] };
      if (kind === "TYPE") {
        if (!TYPES.has(rest)) fail(n, `bad type ${rest}`);
        if (family.samples.length > 0) fail(n, `TYPE of ${name} after its samples`);
        family.type = rest as MetricType;
      } else family.help = rest;
      families.set(name, family);
      return;
    }
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(.*)$/.exec(raw);
    if (!m) fail(n, `bad sample line ${JSON.stringify(raw)}`);
    const name = m[1]!;
    let rest = m[2]!;
    let labels: Record<string, string> = {};
    if (rest.startsWith("{")) [labels, rest] = parseLabels(rest.slice(1), n);
    const parts = rest.trim().split(/\s+/);
    if (parts.length < 1 || parts.length > 2 || parts[0] === "") fail(n, "expected a value");
    const value = parseValue(parts[0]!, n);
    if (parts[1] !== undefined && !/^-?\d+$/.test(parts[1])) fail(n, "bad timestamp");
    const family = [...families.values()].find((f) =>
      SUFFIXES[f.type].some((suffix) => `${f.name}${suffix}` === name),
    );
    if (!family) fail(n, `sample ${name} has no TYPE`);
    const key = `${name}${JSON.stringify(Object.entries(labels).sort())}`;
    if (seen.has(key)) fail(n, `duplicate series ${key}`);
    seen.add(key);
    family.samples.push({ name, labels, value });
  });
  for (const family of families.values()) if (family.type === "histogram") checkHistogram(family);
  return families;
}

function checkHistogram(family: Family): void {
  const groups = new Map<string, { buckets: [number, number][]; count?: number }>();
  const keyOf = (labels: Record<string, string>) =>
    JSON.stringify(
      Object.entries(labels)
        .filter(([k]) => k !== "le")
        .sort(),
    );
  for (const sample of family.samples) {
    const group = groups.get(keyOf(sample.labels)) ?? { buckets: [] };
    groups.set(keyOf(sample.labels), group);
    if (sample.name.endsWith("_bucket")) {
      if (sample.labels.le === undefined) fail(0, `${family.name} bucket without le`);
      group.buckets.push([parseValue(sample.labels.le, 0), sample.value]);
    } else if (sample.name.endsWith("_count")) group.count = sample.value;
  }
  for (const [key, group] of groups) {
    const sorted = [...group.buckets].sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < sorted.length; i++)
      if (sorted[i]![1] < sorted[i - 1]![1]) fail(0, `${family.name}${key}: buckets not cumulative`);
    const inf = sorted.at(-1);
    if (!inf || inf[0] !== Number.POSITIVE_INFINITY) fail(0, `${family.name}${key}: no +Inf bucket`);
    if (inf[1] !== group.count)
      fail(0, `${family.name}${key}: +Inf bucket ${inf[1]} != count ${group.count}`);
  }
}

/** The value of the one sample of `name` whose labels include `labels` (undefined when none). */
export function sampleValue(
  families: Map<string, Family>,
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  for (const family of families.values())
    for (const sample of family.samples)
      if (sample.name === name && Object.entries(labels).every(([k, v]) => sample.labels[k] === v))
        return sample.value;
  return undefined;
}
