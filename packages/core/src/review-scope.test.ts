import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { UTCDate } from "@date-fns/utc";
import { addWeeks, getISOWeek, getISOWeekYear, startOfISOWeek } from "date-fns";
import fc from "fast-check";
import { isoWeekOf, isoWeekRange, parseScopeKey, type ReviewScope, scopeKey } from "./review-scope.ts";
import { UNOWNED } from "./teams.ts";

// date-fns is the reference model: a well-kept implementation of ISO 8601 weeks.
const referenceWeek = (t: number) => {
  const u = new UTCDate(t);
  return `${getISOWeekYear(u)}-W${String(getISOWeek(u)).padStart(2, "0")}`;
};
const instants = fc.integer({ min: Date.UTC(1970, 0, 1), max: Date.UTC(2200, 0, 1) });

describe("ISO weeks", () => {
  it("names the week of any instant as date-fns does (property)", () => {
    fc.assert(fc.property(instants, (t) => assert.equal(isoWeekOf(new Date(t)), referenceWeek(t))));
  });

  it("starts every week on the Monday date-fns gives, seven days long, and round-trips (property)", () => {
    fc.assert(
      fc.property(instants, (t) => {
        const week = referenceWeek(t);
        const { start, end } = isoWeekRange(week);
        assert.equal(start.getTime(), startOfISOWeek(new UTCDate(t)).getTime());
        assert.equal(end.getTime(), addWeeks(new UTCDate(start.getTime()), 1).getTime());
        assert.ok(start.getTime() <= t && t < end.getTime());
      }),
    );
  });

  it("refuses weeks a year does not have, and text that is no week", () => {
    assert.throws(() => isoWeekRange("2025-W53"), /2025 has no week 53/);
    assert.equal(isoWeekRange("2026-W53").start.toISOString(), "2026-12-28T00:00:00.000Z");
    assert.throws(() => isoWeekRange("2026-W00"), /has no week 0/);
    assert.throws(() => isoWeekRange("2026-W99"), /2026 has no week 99/);
    assert.throws(() => isoWeekRange("2026-47"), /not an ISO week/);
  });

  it("takes years below 100 as written", () => {
    assert.equal(isoWeekRange("0050-W10").start.getUTCFullYear(), 50);
  });
});

describe("review scopes", () => {
  const names = fc.stringMatching(/^[a-z0-9][a-z0-9.-]{0,20}$/);
  const scopes: fc.Arbitrary<ReviewScope> = fc.oneof(
    fc.constant({ kind: "fleet" as const }),
    names.map((cluster) => ({ kind: "cluster" as const, cluster })),
    fc
      .tuple(names, names)
      .map(([cluster, namespace]) => ({ kind: "namespace" as const, cluster, namespace })),
    fc.oneof(names, fc.constant(UNOWNED)).map((team) => ({ kind: "team" as const, team })),
  );
  it("parses every key it writes back to the same scope (property)", () => {
    fc.assert(fc.property(scopes, (s) => assert.deepEqual(parseScopeKey(scopeKey(s)), s)));
  });
  it("refuses keys of no scope", () => {
    for (const key of [
      "",
      "fleets",
      "cluster:",
      "namespace:a",
      "namespace:/b",
      "namespace:a/b/c",
      "team:",
      "team:  ",
      "fleet:x",
    ])
      assert.equal(parseScopeKey(key), null, key);
  });
  it("gives twins one key: spaces around names dropped, team case and spacing folded (property)", () => {
    const pad = fc.stringMatching(/^[ \t]{0,3}$/);
    fc.assert(
      fc.property(scopes, pad, pad, (s, before, after) => {
        const key = scopeKey(s);
        const colon = key.indexOf(":");
        const padded =
          colon < 0
            ? `${before}${key}${after}`
            : `${before}${key.slice(0, colon + 1)}${after}${key.slice(colon + 1)}${after}`;
        const twin =
          s.kind === "team" && s.team !== UNOWNED ? padded.toUpperCase().replace("TEAM:", "team:") : padded;
        assert.deepEqual(parseScopeKey(twin), s);
      }),
    );
    assert.deepEqual(parseScopeKey("team: Growth  Team "), { kind: "team", team: "growth team" });
  });
});
