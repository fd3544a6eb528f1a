// The bench's SVG chart, written by hand: throughput bars against the apiserver's limit, and latency percentiles.
import type { BenchReport, LatencySummary } from "./report.js";

interface Bar {
  readonly label: string;
  readonly value: number;
  readonly color: string;
}

const WIDTH = 1000;
const HEIGHT = 380;
const PANEL = { top: 60, bottom: 300, height: 240 };
const COLORS = { limit: "#9aa5b1", best: "#52606d", helios: "#2f80ed", target: "#eb5757", p50: "#6fcf97", p90: "#f2c94c", p99: "#eb5757" };

function escape(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

function text(x: number, y: number, body: string, attrs = ""): string {
  return `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}" ${attrs}>${escape(body)}</text>`;
}

/** A round axis maximum above `max` (1, 2 or 5 times a power of ten). */
export function niceMax(max: number): number {
  if (!Number.isFinite(max) || max <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(max));
  return ([1, 2, 5, 10].map((m) => m * power).find((v) => v >= max) ?? 10 * power);
}

function axis(x0: number, width: number, max: number, unit: string): string {
  const parts: string[] = [];
  for (let i = 0; i <= 4; i++) {
    const v = (max * i) / 4;
    const y = PANEL.bottom - (PANEL.height * i) / 4;
    parts.push(`<line x1="${x0}" x2="${x0 + width}" y1="${y}" y2="${y}" stroke="#e4e7eb"/>`);
    parts.push(text(x0 - 6, y + 4, `${Number.isInteger(v) ? v : v.toFixed(1)}`, 'text-anchor="end" font-size="11" fill="#52606d"'));
  }
  parts.push(text(x0 - 6, PANEL.top - 10, unit, 'text-anchor="end" font-size="11" fill="#52606d"'));
  return parts.join("");
}

function bars(x0: number, width: number, items: readonly Bar[], max: number): string {
  const slot = width / Math.max(1, items.length);
  const barWidth = Math.min(56, slot * 0.7);
  return items
    .map((b, i) => {
      const h = Number.isFinite(b.value) ? (PANEL.height * Math.min(b.value, max)) / max : 0;
      const x = x0 + i * slot + (slot - barWidth) / 2;
      const cx = x + barWidth / 2;
      return [
        `<rect x="${x.toFixed(1)}" y="${(PANEL.bottom - h).toFixed(1)}" width="${barWidth.toFixed(1)}" height="${h.toFixed(1)}" fill="${b.color}"/>`,
        text(cx, PANEL.bottom - h - 4, Number.isFinite(b.value) ? b.value.toFixed(0) : "n/a", 'text-anchor="middle" font-size="11"'),
        text(cx, PANEL.bottom + 16, b.label, 'text-anchor="middle" font-size="11"'),
      ].join("");
    })
    .join("");
}

function throughputPanel(report: BenchReport, x0: number, width: number): string {
  const items: Bar[] = [];
  for (const row of report.limit?.rows ?? []) {
    const best = row.concurrency === report.limit?.best.concurrency;
    items.push({ label: `limit c=${row.concurrency}`, value: row.jobsPerSecond, color: best ? COLORS.best : COLORS.limit });
  }
  if (report.throughput) items.push({ label: "Helios", value: report.throughput.jobsPerSecond, color: COLORS.helios });
  const limit = report.limit?.best.jobsPerSecond;
  const max = niceMax(Math.max(...items.map((b) => b.value).filter(Number.isFinite), 1));
  const parts = [text(x0, 30, "Throughput (jobs/s): Helios end to end vs the bare-client limit", 'font-size="14" font-weight="bold"'), axis(x0, width, max, "jobs/s"), bars(x0, width, items, max)];
  if (limit !== undefined && Number.isFinite(limit)) {
    const y = PANEL.bottom - (PANEL.height * Math.min(0.7 * limit, max)) / max;
    parts.push(`<line x1="${x0}" x2="${x0 + width}" y1="${y.toFixed(1)}" y2="${y.toFixed(1)}" stroke="${COLORS.target}" stroke-dasharray="6 4"/>`);
    parts.push(text(x0 + width, y - 4, "70 % of the limit (target)", `text-anchor="end" font-size="11" fill="${COLORS.target}"`));
  }
  return parts.join("");
}

/** The top of a log axis: the power of ten at or above `max` (at least 10). */
export function logMax(max: number): number {
  return Number.isFinite(max) && max > 10 ? 10 ** Math.ceil(Math.log10(max)) : 10;
}

// Latencies span milliseconds (paced) to tens of seconds (saturated): a log scale shows both.
function latencyPanel(report: BenchReport, x0: number, width: number): string {
  const groups: { label: string; s: LatencySummary }[] = [];
  if (report.throughput) {
    groups.push({ label: "tput →assigned", s: report.throughput.latencyMs.createdToAssigned });
    groups.push({ label: "tput →succeeded", s: report.throughput.latencyMs.createdToSucceeded });
  }
  if (report.burst) groups.push({ label: "burst →assigned", s: report.burst.latencyMs.createdToAssigned });
  if (report.paced) {
    groups.push({ label: "paced →assigned", s: report.paced.latencyMs.createdToAssigned });
    groups.push({ label: "paced →succeeded", s: report.paced.latencyMs.createdToSucceeded });
  }
  const values = groups.flatMap((g) => [g.s.p50, g.s.p90, g.s.p99]).filter((v): v is number => v !== null && Number.isFinite(v));
  const top = logMax(Math.max(...values, 1));
  const decades = Math.log10(top);
  const height = (v: number): number => (PANEL.height * Math.log10(Math.min(Math.max(v, 1), top))) / decades;
  const parts = [text(x0, 30, "Latency percentiles (ms, log scale): p50, p90, p99", 'font-size="14" font-weight="bold"')];
  for (let d = 0; d <= decades; d++) {
    const y = PANEL.bottom - (PANEL.height * d) / decades;
    parts.push(`<line x1="${x0}" x2="${x0 + width}" y1="${y}" y2="${y}" stroke="#e4e7eb"/>`);
    parts.push(text(x0 - 6, y + 4, `${10 ** d}`, 'text-anchor="end" font-size="11" fill="#52606d"'));
  }
  parts.push(text(x0 - 6, PANEL.top - 10, "ms", 'text-anchor="end" font-size="11" fill="#52606d"'));
  const slot = width / Math.max(1, groups.length);
  const barWidth = Math.min(18, (slot * 0.8) / 3);
  groups.forEach((g, i) => {
    const quantiles: [string, number | null][] = [
      [COLORS.p50, g.s.p50],
      [COLORS.p90, g.s.p90],
      [COLORS.p99, g.s.p99],
    ];
    const start = x0 + i * slot + (slot - 3 * barWidth) / 2;
    quantiles.forEach(([color, v], k) => {
      const value = v ?? Number.NaN;
      const h = Number.isFinite(value) ? height(value) : 0;
      const x = start + k * barWidth;
      parts.push(`<rect x="${x.toFixed(1)}" y="${(PANEL.bottom - h).toFixed(1)}" width="${(barWidth - 2).toFixed(1)}" height="${h.toFixed(1)}" fill="${color}"/>`);
      if (k === 2) parts.push(text(x + barWidth / 2, PANEL.bottom - h - 4, Number.isFinite(value) ? value.toFixed(0) : "n/a", 'text-anchor="middle" font-size="10"'));
    });
    parts.push(text(x0 + i * slot + slot / 2, PANEL.bottom + 16, g.label, 'text-anchor="middle" font-size="10"'));
  });
  const legend: [string, string][] = [
    ["p50", COLORS.p50],
    ["p90", COLORS.p90],
    ["p99", COLORS.p99],
  ];
  legend.forEach(([label, color], k) => {
    parts.push(`<rect x="${x0 + k * 60}" y="${PANEL.bottom + 30}" width="10" height="10" fill="${color}"/>`);
    parts.push(text(x0 + k * 60 + 14, PANEL.bottom + 39, label, 'font-size="11"'));
  });
  return parts.join("");
}

/** The chart as a standalone SVG document. Pure: the same report gives the same bytes. */
export function renderChart(report: BenchReport): string {
  const m = report.machine;
  const footer = `${report.quick ? "QUICK run" : "full run"} ${report.startedAt} · ${m.cpus} cores · load ${m.loadAverageStart.map((l) => l.toFixed(1)).join(" ")} → ${m.loadAverageEnd.map((l) => l.toFixed(1)).join(" ")} · kube-apiserver ${m.kubernetes}`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif">`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="white"/>`,
    throughputPanel(report, 70, 380),
    latencyPanel(report, 560, 420),
    text(WIDTH / 2, HEIGHT - 8, footer, 'text-anchor="middle" font-size="11" fill="#52606d"'),
    "</svg>",
    "",
  ].join("\n");
}
