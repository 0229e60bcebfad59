import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { parseGoDuration, parseGoDurationNs } from "./go-duration.ts";

/** Go's time.Duration.String, to generate what the kubelet prints. */
function goDurationString(ns: bigint): string {
  if (ns === 0n) return "0s";
  const neg = ns < 0n;
  let u = neg ? -ns : ns;
  const frac = (v: bigint, digits: number) => {
    const s = v.toString().padStart(digits, "0").replace(/0+$/, "");
    return s ? `.${s}` : "";
  };
  let out: string;
  if (u < 1_000n) out = `${u}ns`;
  else if (u < 1_000_000n) out = `${u / 1_000n}${frac(u % 1_000n, 3)}µs`;
  else if (u < 1_000_000_000n) out = `${u / 1_000_000n}${frac(u % 1_000_000n, 6)}ms`;
  else {
    const h = u / 3_600_000_000_000n;
    u %= 3_600_000_000_000n;
    const m = u / 60_000_000_000n;
    u %= 60_000_000_000n;
    const s = `${u / 1_000_000_000n}${frac(u % 1_000_000_000n, 9)}s`;
    out = h > 0n ? `${h}h${m}m${s}` : m > 0n ? `${m}m${s}` : s;
  }
  return neg ? `-${out}` : out;
}

describe("parseGoDuration", () => {
  const cases: Array<[string, number]> = [
    ["1m5.328s", 65.328],
    ["272.563572ms", 0.272563572],
    ["1h0m3s", 3603],
    ["523ms", 0.523],
    ["2.1s", 2.1],
    ["1m2.345s", 62.345],
    ["0s", 0],
    ["0", 0],
    ["750µs", 0.00075],
    ["750μs", 0.00075],
    ["750us", 0.00075],
    ["12ns", 1.2e-8],
    ["1.5h", 5400],
    ["-1.5s", -1.5],
    ["+2s", 2],
    [".5s", 0.5],
    ["1.s", 1],
    ["3h25m45.7s", 12345.7],
  ];
  for (const [s, seconds] of cases) it(`${s} = ${seconds}s`, () => assert.equal(parseGoDuration(s), seconds));

  it("rejects what Go rejects", () => {
    for (const s of [
      "",
      "1",
      "s",
      ".s",
      "1x",
      "1.2.3s",
      "--1s",
      "1s ",
      " 1s",
      "1 s",
      "ms",
      "1e3s",
      "9999999999h",
    ]) {
      assert.equal(parseGoDuration(s), null, s);
    }
  });

  it("parses every string Go's Duration.String produces back to the same nanoseconds", () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: -(10n ** 15n), max: 10n ** 15n }),
        (ns) => parseGoDurationNs(goDurationString(ns)) === ns,
      ),
      { numRuns: 5000 },
    );
  });

  it("never throws on arbitrary input", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 100 }), (s) => {
        const v = parseGoDuration(s);
        return v === null || Number.isFinite(v);
      }),
      { numRuns: 5000 },
    );
  });
});

describe("parseGoDuration does not read object prototypes", () => {
  it('rejects "0toString", "1constructor" and friends', () => {
    for (const s of ["0toString", "1constructor", "2valueOf", "3__proto__", "1hasOwnProperty"])
      assert.equal(parseGoDuration(s), null, s);
  });
});
