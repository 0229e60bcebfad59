import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { pivot } from "./series.ts";

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
