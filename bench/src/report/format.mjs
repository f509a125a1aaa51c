/** Number formatting shared by the Markdown table, the console and the docs. */

export const mib = (bytes) => (bytes == null ? "–" : (bytes / 2 ** 20).toFixed(1));
export const ms = (v) =>
  v == null || Number.isNaN(v) ? "–" : v < 10 ? v.toFixed(2) : v < 100 ? v.toFixed(1) : v.toFixed(0);
export const recall = (v) => (v == null ? "–" : v.toFixed(3));
export const int = (v) => (v == null ? "–" : Math.round(v).toLocaleString("en-US"));

/** A value in a target's unit. */
export function unit(value, u) {
  if (value == null) return "not reached";
  if (u === "bytes") return `${mib(value)} MiB`;
  if (u === "ms") return `${ms(value)} ms`;
  return `${int(value)} ${u}`;
}
