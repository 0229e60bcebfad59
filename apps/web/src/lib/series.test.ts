import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  fitDomain,
  niceStep,
  OUTLIER_FACTOR,
  outlierDomain,
  pivot,
  rankBySlowdown,
  zeroBasedDomain,
} from "./series.ts";

describe("pivot", () => {
  const rows = fc.array(
    fc.record({
      day: fc.integer({ min: 0, max: 9 }),
      name: fc.constantFrom("docker.io", "ghcr.io", "unknown"),
      value: fc.option(fc.integer({ min: 0, max: 5000 }), { nil: null }),
    }),
    { maxLength: 40 },
  );
  const at = (day: number) => new Date(Date.UTC(2026, 10, 1 + day));

  it("draws a series exactly when it has a value somewhere, and keeps every value at its day (property)", () => {
    fc.assert(
      fc.property(rows, (rs) => {
        const { points, names } = pivot(
          rs,
          (r) => at(r.day),
          (r) => r.name,
          (r) => r.value,
        );
        const withValue = [...new Set(rs.filter((r) => r.value !== null).map((r) => r.name))].sort();
        assert.deepEqual(names, withValue);
        // The last row for a day and name wins, as a map would keep it.
        const last = new Map(rs.map((r) => [`${r.day}/${r.name}`, r.value]));
        for (const p of points)
          for (const n of names) {
            const day = Math.round((p.t - at(0).getTime()) / 86_400_000);
            assert.equal(p[n], last.get(`${day}/${n}`) ?? null);
          }
        assert.deepEqual(
          points.map((p) => p.t),
          [...new Set(rs.map((r) => at(r.day).getTime()))].sort((a, b) => a - b),
        );
      }),
    );
  });
});

describe("fitDomain", () => {
  it("holds every value, on whole steps, within its bounds, never wider than a step beyond the data (property)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.option(fc.double({ min: 0, max: 100, noNaN: true }), { nil: null })),
        (values) => {
          const [lo, hi] = fitDomain(values, [0, 100]);
          const known = values.filter((v): v is number => v !== null);
          assert.ok(lo >= 0 && hi <= 100 && lo < hi);
          assert.equal(lo % 5, 0);
          assert.equal(hi % 5, 0);
          if (known.length === 0) return assert.deepEqual([lo, hi], [0, 100]);
          assert.ok(known.every((v) => v >= lo && v <= hi));
          assert.ok(lo >= Math.min(...known) - 10 && hi <= Math.max(...known) + 10 + 5);
        },
      ),
    );
  });
});

describe("zeroBasedDomain", () => {
  it("starts at zero and ends on a round step at or above the largest value, less than a step beyond it (property)", () => {
    fc.assert(
      fc.property(fc.array(fc.option(fc.integer({ min: 0, max: 120_000 }), { nil: null })), (values) => {
        const [lo, hi] = zeroBasedDomain(values);
        const max = Math.max(0, ...values.filter((v): v is number => v !== null));
        assert.equal(lo, 0);
        if (max === 0) return assert.deepEqual([lo, hi], [0, 1]);
        const step = niceStep(max);
        assert.ok(hi >= max && hi - max < step, `${max} → ${hi} (step ${step})`);
        assert.ok(Number.isInteger(hi / step));
        assert.ok(max / step <= 6 + 1e-9, "at most six steps");
      }),
    );
  });
});

describe("rankBySlowdown", () => {
  const day = (n: number) => Date.UTC(2026, 10, 1) + n * 86_400_000;
  it("puts the registry whose last week rose most first, then the others by their recent level, and leaves out empty ones", () => {
    // 14 days: quay doubles in the last 7, docker rises a little, ghcr falls, local pulls only recently.
    const points = Array.from({ length: 14 }, (_, i) => ({
      t: day(i),
      "quay.io": i < 7 ? 1000 : 2000,
      "docker.io": i < 7 ? 400 : 440,
      "ghcr.io": i < 7 ? 900 : 300,
      "registry.local": i < 7 ? null : 50,
      unknown: null,
    }));
    const ranked = rankBySlowdown(points, ["docker.io", "ghcr.io", "quay.io", "registry.local", "unknown"]);
    assert.deepEqual(
      ranked.map((s) => [s.name, s.recent, s.before, s.ratio]),
      [
        ["quay.io", 2000, 1000, 2],
        ["docker.io", 440, 400, 1.1],
        ["ghcr.io", 300, 900, 1 / 3],
        ["registry.local", 50, null, null],
      ],
    );
  });
  it("orders by ratio, highest first, with the incomparable last (property)", () => {
    const series = fc.array(fc.option(fc.integer({ min: 1, max: 10_000 }), { nil: null }), {
      minLength: 14,
      maxLength: 14,
    });
    fc.assert(
      fc.property(fc.array(series, { minLength: 1, maxLength: 6 }), (all) => {
        const names = all.map((_, i) => `r${i}`);
        const points = Array.from({ length: 14 }, (_, d) => ({
          t: day(d),
          ...Object.fromEntries(all.map((s, i) => [`r${i}`, s[d] ?? null])),
        }));
        const ranked = rankBySlowdown(points, names);
        const nonEmpty = all.filter((s) => s.some((v) => v !== null)).length;
        assert.equal(ranked.length, nonEmpty);
        const ratios = ranked.map((s) => s.ratio ?? Number.NEGATIVE_INFINITY);
        assert.deepEqual(
          ratios,
          [...ratios].sort((a, b) => b - a),
        );
      }),
    );
  });
});

describe("outlierDomain", () => {
  /** The reference: the 90th-percentile day by nearest rank, and twice its level rounded up. */
  const p90 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.ceil(0.9 * xs.length) - 1] as number;
  const limitOf = (xs: number[]) => OUTLIER_FACTOR * zeroBasedDomain([1.5 * p90(xs)])[1];

  it("draws every ordinary day within the axis and only days beyond twice the typical level above it, at most a tenth (property)", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 5000 }), { maxLength: 120 }), (days) => {
        const domain = outlierDomain(days);
        if (days.length < 7 || p90(days) === 0 || Math.max(...days) <= limitOf(days))
          return assert.equal(domain, null);
        assert.ok(domain, "a day beyond twice the typical level stops the axis short");
        const [lo, top] = domain;
        assert.equal(lo, 0);
        const above = days.filter((d) => d > top);
        assert.ok(above.length > 0 && above.every((d) => d > limitOf(days)), `${above} above ${top}`);
        assert.ok(above.length <= Math.floor(days.length / 10));
        assert.deepEqual(domain, zeroBasedDomain(days.filter((d) => d <= top)));
      }),
    );
  });

  it("keeps the demo's first day of collection from flattening its weeks of failures, and draws its incident whole", () => {
    const days = [111, 17, 22, 22, 18, 19, 22, 13, 19, 17, 10, 8, 12, 15, 20, 53, 14, 21, 9, 11, 18];
    assert.deepEqual(outlierDomain(days), [0, 60]);
    // No day beyond twice the typical level: the axis fits everything.
    assert.equal(outlierDomain([60, 17, 22, 22, 18, 19, 22, 13]), null);
  });
});
