// Small pure statistics for the bench: percentiles and summaries of latency samples.

/** A latency distribution in milliseconds. */
export interface Summary {
  readonly count: number;
  readonly min: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
  readonly mean: number;
}

/** The `q` quantile (0..1) of ascending `sorted` by the nearest-rank method; NaN when empty. */
export function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil(Math.min(1, Math.max(0, q)) * sorted.length);
  return sorted[Math.max(0, rank - 1)] ?? Number.NaN;
}

/** Summarizes `values` (any order; non-finite values are ignored). */
export function summarize(values: readonly number[]): Summary {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  const sum = sorted.reduce((n, v) => n + v, 0);
  return {
    count: sorted.length,
    min: sorted[0] ?? Number.NaN,
    p50: percentile(sorted, 0.5),
    p90: percentile(sorted, 0.9),
    p99: percentile(sorted, 0.99),
    max: sorted[sorted.length - 1] ?? Number.NaN,
    mean: sorted.length === 0 ? Number.NaN : sum / sorted.length,
  };
}

/** One sample of the Prometheus text format. */
export interface PromSample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** Parses the Prometheus text exposition format (comments skipped, label escapes kept as written). */
export function parsePrometheus(text: string): PromSample[] {
  const out: PromSample[] = [];
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const brace = line.indexOf("{");
    const space = line.indexOf(" ");
    let name: string;
    let rest: string;
    const labels: Record<string, string> = {};
    if (brace >= 0 && (space < 0 || brace < space)) {
      const close = line.lastIndexOf("}");
      name = line.slice(0, brace);
      for (const m of line.slice(brace + 1, close).matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[m[1] ?? ""] = m[2] ?? "";
      rest = line.slice(close + 1).trim();
    } else {
      name = line.slice(0, space);
      rest = line.slice(space + 1).trim();
    }
    const value = Number(rest.split(/\s+/)[0]);
    if (name !== "" && !Number.isNaN(value)) out.push({ name, labels, value });
  }
  return out;
}

/** Sum of every sample named `name` whose labels include `match`. */
export function sampleSum(samples: readonly PromSample[], name: string, match: Readonly<Record<string, string>> = {}): number {
  return samples
    .filter((s) => s.name === name && Object.entries(match).every(([k, v]) => s.labels[k] === v))
    .reduce((n, s) => n + s.value, 0);
}

/** A Prometheus histogram summed over label sets: cumulative bucket counts by upper bound. */
export interface Histogram {
  readonly count: number;
  readonly sum: number;
  readonly buckets: readonly { readonly le: number; readonly count: number }[];
}

/** The histogram `name` (its `_bucket`, `_sum`, `_count` samples), summed over labels matching `match`. */
export function histogramOf(samples: readonly PromSample[], name: string, match: Readonly<Record<string, string>> = {}): Histogram {
  const byLe = new Map<number, number>();
  for (const s of samples) {
    if (s.name !== `${name}_bucket` || !Object.entries(match).every(([k, v]) => s.labels[k] === v)) continue;
    const le = s.labels["le"] === "+Inf" ? Infinity : Number(s.labels["le"]);
    byLe.set(le, (byLe.get(le) ?? 0) + s.value);
  }
  return {
    count: sampleSum(samples, `${name}_count`, match),
    sum: sampleSum(samples, `${name}_sum`, match),
    buckets: [...byLe.entries()].sort((a, b) => a[0] - b[0]).map(([le, count]) => ({ le, count })),
  };
}

/** What was observed between two scrapes of one histogram. */
export function diffHistogram(before: Histogram, after: Histogram): Histogram {
  const old = new Map(before.buckets.map((b) => [b.le, b.count]));
  return {
    count: after.count - before.count,
    sum: after.sum - before.sum,
    buckets: after.buckets.map((b) => ({ le: b.le, count: b.count - (old.get(b.le) ?? 0) })),
  };
}

/**
 * The `q` quantile estimated as Prometheus' histogram_quantile does: linear within the bucket that
 * holds it; the highest finite bound when it falls in +Inf; NaN without observations.
 */
export function histogramQuantile(h: Histogram, q: number): number {
  if (h.count <= 0 || h.buckets.length === 0) return Number.NaN;
  const rank = Math.min(1, Math.max(0, q)) * h.count;
  let lowerLe = 0;
  let lowerCount = 0;
  for (const b of h.buckets) {
    if (b.count >= rank) {
      if (b.le === Infinity) return lowerLe;
      const inBucket = b.count - lowerCount;
      return inBucket <= 0 ? b.le : lowerLe + ((b.le - lowerLe) * (rank - lowerCount)) / inBucket;
    }
    lowerLe = b.le === Infinity ? lowerLe : b.le;
    lowerCount = b.count;
  }
  return lowerLe;
}
