// The bench's statistics: nearest-rank percentiles, Prometheus text parsing, histogram quantiles.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { diffHistogram, histogramOf, histogramQuantile, parsePrometheus, percentile, sampleSum, summarize } from "../../../bench/stats.js";

describe("percentile and summarize", () => {
  it("returns a sample value between min and max, monotone in q", () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 200 }), fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), (values, q1, q2) => {
        const sorted = [...values].sort((a, b) => a - b);
        const [lo, hi] = q1 <= q2 ? [q1, q2] : [q2, q1];
        expect(sorted).toContain(percentile(sorted, lo));
        expect(percentile(sorted, lo)).toBeLessThanOrEqual(percentile(sorted, hi));
        expect(percentile(sorted, 0)).toBe(sorted[0]);
        expect(percentile(sorted, 1)).toBe(sorted[sorted.length - 1]);
      }),
    );
  });

  it("uses the nearest rank: p50 of 1..100 is 50, p99 is 99", () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i);
    const s = summarize(values);
    expect(s).toMatchObject({ count: 100, min: 1, p50: 50, p90: 90, p99: 99, max: 100, mean: 50.5 });
  });

  it("ignores non-finite values and reports NaN when nothing is left", () => {
    expect(summarize([Number.NaN, Infinity, 3]).count).toBe(1);
    expect(summarize([]).p99).toBeNaN();
  });
});

const TEXT = `# HELP helios_dispatch_cycle_seconds One dispatcher cycle.
# TYPE helios_dispatch_cycle_seconds histogram
helios_dispatch_cycle_seconds_bucket{le="0.01",result="success"} 2
helios_dispatch_cycle_seconds_bucket{le="0.1",result="success"} 6
helios_dispatch_cycle_seconds_bucket{le="1",result="success"} 10
helios_dispatch_cycle_seconds_bucket{le="+Inf",result="success"} 10
helios_dispatch_cycle_seconds_sum{result="success"} 1.5
helios_dispatch_cycle_seconds_count{result="success"} 10
helios_dispatch_cycle_seconds_bucket{le="0.01",result="error"} 0
helios_dispatch_cycle_seconds_bucket{le="0.1",result="error"} 0
helios_dispatch_cycle_seconds_bucket{le="1",result="error"} 0
helios_dispatch_cycle_seconds_bucket{le="+Inf",result="error"} 2
helios_dispatch_cycle_seconds_sum{result="error"} 4
helios_dispatch_cycle_seconds_count{result="error"} 2
nodejs_heap_size_used_bytes 12345678
helios_jobs{namespace="a",queue="default",phase="Pending",note="x \\"quoted\\" y"} 7
`;

describe("Prometheus text", () => {
  it("parses samples with and without labels, quoted escapes included", () => {
    const samples = parsePrometheus(TEXT);
    expect(sampleSum(samples, "nodejs_heap_size_used_bytes")).toBe(12345678);
    expect(sampleSum(samples, "helios_jobs", { phase: "Pending" })).toBe(7);
    expect(sampleSum(samples, "helios_jobs", { phase: "Running" })).toBe(0);
  });

  it("sums a histogram over label sets and estimates quantiles like histogram_quantile", () => {
    const h = histogramOf(parsePrometheus(TEXT), "helios_dispatch_cycle_seconds");
    expect(h.count).toBe(12);
    expect(h.sum).toBe(5.5);
    expect(h.buckets.map((b) => b.count)).toEqual([2, 6, 10, 12]);
    // rank 6 of 12 is the top of the (0.01, 0.1] bucket.
    expect(histogramQuantile(h, 0.5)).toBeCloseTo(0.1);
    // rank 3 is a quarter into (0.01, 0.1].
    expect(histogramQuantile(h, 0.25)).toBeCloseTo(0.01 + 0.09 * 0.25);
    // In +Inf: the highest finite bound.
    expect(histogramQuantile(h, 0.99)).toBe(1);
    expect(histogramQuantile({ count: 0, sum: 0, buckets: [] }, 0.5)).toBeNaN();
  });

  it("diffs two scrapes of a histogram", () => {
    const after = histogramOf(parsePrometheus(TEXT), "helios_dispatch_cycle_seconds", { result: "success" });
    const before = { count: 4, sum: 0.5, buckets: [{ le: 0.01, count: 2 }, { le: 0.1, count: 4 }] };
    const d = diffHistogram(before, after);
    expect(d.count).toBe(6);
    expect(d.sum).toBeCloseTo(1);
    expect(d.buckets.map((b) => b.count)).toEqual([0, 2, 10, 10]);
  });
});
