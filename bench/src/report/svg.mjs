/**
 * Recall-vs-throughput chart in the style of ann-benchmarks: x = recall@10, y = queries per second (log
 * scale, sequential single-client queries, 1000 / mean latency), one line per driver through its ef sweep.
 * Plain SVG with no dependencies; deterministic output for a given result.
 */
const W = 760;
const H = 460;
const PAD = { left: 70, right: 200, top: 40, bottom: 55 };
const COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b"];

const esc = (s) => String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

function seriesOf(results) {
  return results
    .filter((r) => !r.skipped)
    .map((r) => {
      const points = r.sweep?.length
        ? r.sweep.map((p) => ({ recall: p.recall, qps: 1000 / p.mean, tag: `ef ${p.ef}` }))
        : [{ recall: r.queries.none.recall, qps: 1000 / r.queries.none.latencyMs.mean, tag: "" }];
      return { label: r.label, points };
    });
}

function scales(series) {
  const all = series.flatMap((s) => s.points);
  // At least 0.1 of recall range, so a run where everything is exact still has an axis.
  const xMin = Math.max(0, Math.min(0.9, Math.floor(Math.min(...all.map((p) => p.recall)) * 20) / 20));
  const yMin = 10 ** Math.floor(Math.log10(Math.min(...all.map((p) => p.qps))));
  const yMax = 10 ** Math.ceil(Math.log10(Math.max(...all.map((p) => p.qps))));
  const x = (r) => PAD.left + ((r - xMin) / (1 - xMin || 1)) * (W - PAD.left - PAD.right);
  const y = (q) =>
    H -
    PAD.bottom -
    ((Math.log10(q) - Math.log10(yMin)) / (Math.log10(yMax) - Math.log10(yMin) || 1)) *
      (H - PAD.top - PAD.bottom);
  return { x, y, xMin, yMin, yMax };
}

function axes({ x, y, xMin, yMin, yMax }) {
  const out = [];
  for (let i = 0; i <= 5; i++) {
    const r = xMin + (i * (1 - xMin)) / 5;
    out.push(`<line x1="${x(r)}" y1="${PAD.top}" x2="${x(r)}" y2="${H - PAD.bottom}" stroke="#eee"/>`);
    out.push(`<text x="${x(r)}" y="${H - PAD.bottom + 18}" text-anchor="middle">${r.toFixed(2)}</text>`);
  }
  for (let q = yMin; q <= yMax * 1.0001 && q > 0; q *= 10) {
    out.push(`<line x1="${PAD.left}" y1="${y(q)}" x2="${W - PAD.right}" y2="${y(q)}" stroke="#eee"/>`);
    out.push(
      `<text x="${PAD.left - 8}" y="${y(q) + 4}" text-anchor="end">${q >= 1 ? q.toLocaleString("en-US") : q}</text>`,
    );
  }
  out.push(
    `<rect x="${PAD.left}" y="${PAD.top}" width="${W - PAD.left - PAD.right}" height="${H - PAD.top - PAD.bottom}" fill="none" stroke="#888"/>`,
  );
  out.push(`<text x="${(PAD.left + W - PAD.right) / 2}" y="${H - 12}" text-anchor="middle">recall@10</text>`);
  out.push(
    `<text transform="translate(18 ${(PAD.top + H - PAD.bottom) / 2}) rotate(-90)" text-anchor="middle">queries / s (log)</text>`,
  );
  return out;
}

/** The chart as an SVG document. */
export function recallChart(results, title) {
  const series = seriesOf(results);
  if (series.length === 0) return "";
  const s = scales(series);
  const body = axes(s);
  series.forEach((serie, i) => {
    const color = COLORS[i % COLORS.length];
    const pts = serie.points.map((p) => `${s.x(p.recall).toFixed(1)},${s.y(p.qps).toFixed(1)}`).join(" ");
    body.push(`<polyline points="${pts}" fill="none" stroke="${color}" stroke-width="2"/>`);
    for (const p of serie.points) {
      body.push(
        `<circle cx="${s.x(p.recall).toFixed(1)}" cy="${s.y(p.qps).toFixed(1)}" r="3.5" fill="${color}"><title>${esc(`${serie.label} ${p.tag}: recall ${p.recall.toFixed(4)}, ${Math.round(p.qps)} q/s`)}</title></circle>`,
      );
    }
    const ly = PAD.top + 10 + i * 20;
    body.push(
      `<line x1="${W - PAD.right + 15}" y1="${ly}" x2="${W - PAD.right + 35}" y2="${ly}" stroke="${color}" stroke-width="3"/>`,
    );
    body.push(`<text x="${W - PAD.right + 40}" y="${ly + 4}">${esc(serie.label)}</text>`);
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${PAD.left}" y="24" font-size="14" font-weight="bold">${esc(title)}</text>`,
    ...body,
    "</svg>",
    "",
  ].join("\n");
}
