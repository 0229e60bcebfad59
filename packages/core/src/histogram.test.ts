import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  BUCKET_RESOLUTION,
  bucketOf,
  histogramCount,
  histogramOf,
  histogramQuantile,
  LATENCY_BUCKET_BOUNDS_MS,
  mergeHistograms,
} from "./histogram.ts";

const B = LATENCY_BUCKET_BOUNDS_MS;
const lowerOf = (i: number) => (i === 0 ? 0 : (B[i - 1] as number));
const upperOf = (i: number) => B[i] ?? Number.POSITIVE_INFINITY;

/** The reference model: PostgreSQL's percentile_cont on the samples themselves. */
function percentileCont(sorted: number[], q: number): number {
  const rank = q * (sorted.length - 1);
  const lo = sorted[Math.floor(rank)] as number;
  const hi = sorted[Math.ceil(rank)] as number;
  return lo + (hi - lo) * (rank - Math.floor(rank));
}

const samples = fc.array(
  fc.oneof(fc.double({ min: 0, max: 1e7, noNaN: true }), fc.integer({ min: 0, max: 600_000 })),
  { minLength: 1, maxLength: 300 },
);

describe("latency histograms", () => {
  it("bounds grow by one bucket's resolution, from 1 ms", () => {
    assert.equal(B[0], 1);
    for (let i = 1; i < B.length; i++) {
      const ratio = (B[i] as number) / (B[i - 1] as number);
      assert.ok(Math.abs(ratio - 1 - BUCKET_RESOLUTION) < 1e-4, `bound ${i}`);
    }
    assert.ok(BUCKET_RESOLUTION < 0.045);
  });

  it("bucketOf is width_bucket: bound[i-1] <= ms < bound[i]", () => {
    fc.assert(
      fc.property(fc.double({ min: -10, max: 2e8, noNaN: true }), (ms) => {
        const i = bucketOf(ms);
        return lowerOf(i) <= Math.max(ms, 0) && ms < upperOf(i) && (i === 0 ? ms < 1 : true);
      }),
      { numRuns: 5000 },
    );
    for (const b of B.slice(0, 50))
      assert.equal(bucketOf(b), B.indexOf(b) + 1, `a bound opens its bucket: ${b}`);
  });

  it("merging histograms is the histogram of the union", () => {
    fc.assert(
      fc.property(samples, samples, (a, b) => {
        assert.deepEqual(mergeHistograms([histogramOf(a), histogramOf(b)]), histogramOf([...a, ...b]));
        return (
          histogramCount(mergeHistograms([histogramOf(a), null, histogramOf(b)])) === a.length + b.length
        );
      }),
    );
  });

  it("a quantile from a histogram lies within the buckets of the exact percentile's ranks", () => {
    fc.assert(
      fc.property(samples, fc.constantFrom(0, 0.5, 0.9, 0.95, 0.99, 1), (xs, q) => {
        const sorted = [...xs].sort((x, y) => x - y);
        const got = histogramQuantile(histogramOf(xs), q) as number;
        const rank = q * (sorted.length - 1);
        const lo = lowerOf(bucketOf(sorted[Math.floor(rank)] as number));
        const hi = upperOf(bucketOf(sorted[Math.ceil(rank)] as number));
        const exact = percentileCont(sorted, q);
        return got >= lo && got <= (Number.isFinite(hi) ? hi : exact * 2) && exact >= lo && exact <= hi;
      }),
      { numRuns: 3000 },
    );
  });

  it("merged days give the percentile of all their pulls, not a mean of percentiles", () => {
    // One busy fast day and one quiet slow day: the mean of the two p95s is far off.
    const fast = Array.from({ length: 990 }, (_, i) => 500 + i);
    const slow = Array.from({ length: 10 }, () => 60_000);
    const all = [...fast, ...slow].sort((x, y) => x - y);
    const merged = histogramQuantile(mergeHistograms([histogramOf(fast), histogramOf(slow)]), 0.95) as number;
    const exact = percentileCont(all, 0.95);
    assert.ok(Math.abs(merged - exact) / exact <= BUCKET_RESOLUTION, `${merged} vs ${exact}`);
    const meanOfP95 = (percentileCont(fast, 0.95) * 990 + 60_000 * 10) / 1000;
    assert.ok(Math.abs(meanOfP95 - exact) / exact > 0.3, "the old approximation was 30 % off here");
  });

  it("ignores keys and counts that are not a histogram's", () => {
    assert.deepEqual(mergeHistograms([{ "3": 2, x: 5, "-1": 4, "7": Number.NaN, "9": -2 } as never]), {
      "3": 2,
    });
    assert.equal(histogramQuantile({}, 0.5), null);
  });
});
