import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { fitDomain, pivot } from "./series.ts";

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
