// Go's time.Duration string format, parsed exactly as time.ParseDuration does:
// [-+]?([0-9]*(\.[0-9]*)?[a-z]+)+ with units ns, us, µs (U+00B5), μs (U+03BC), ms, s, m, h;
// "0" alone is allowed. Arithmetic is done on integer nanoseconds (BigInt), so "1m5.328s" is
// exactly 65.328 seconds and "272.563572ms" exactly 0.272563572.

// A Map, not an object literal: "0toString" must not find Object.prototype.toString.
const UNIT_NS = new Map<string, bigint>([
  ["ns", 1n],
  ["us", 1_000n],
  ["\u00b5s", 1_000n],
  ["\u03bcs", 1_000n],
  ["ms", 1_000_000n],
  ["s", 1_000_000_000n],
  ["m", 60_000_000_000n],
  ["h", 3_600_000_000_000n],
]);
const MAX_NS = (1n << 63n) - 1n;

const isDigit = (c: number) => c >= 48 && c <= 57;

/** Nanoseconds of a Go duration string, or null when Go would reject it. */
export function parseGoDurationNs(s: string): bigint | null {
  if (typeof s !== "string" || s === "") return null;
  let i = 0;
  let negative = false;
  if (s[0] === "-" || s[0] === "+") {
    negative = s[0] === "-";
    i = 1;
  }
  if (s.slice(i) === "0") return 0n;
  if (i === s.length) return null;
  let total = 0n;
  while (i < s.length) {
    const intStart = i;
    while (i < s.length && isDigit(s.charCodeAt(i))) i++;
    const intPart = s.slice(intStart, i);
    let fracPart = "";
    if (s[i] === ".") {
      i++;
      const fracStart = i;
      while (i < s.length && isDigit(s.charCodeAt(i))) i++;
      fracPart = s.slice(fracStart, i);
    }
    if (intPart === "" && fracPart === "") return null;
    const unitStart = i;
    while (i < s.length && s[i] !== "." && !isDigit(s.charCodeAt(i))) i++;
    const unit = UNIT_NS.get(s.slice(unitStart, i));
    if (unit === undefined) return null;
    let value = BigInt(intPart || "0") * unit;
    if (fracPart) value += (BigInt(fracPart) * unit) / 10n ** BigInt(fracPart.length);
    total += value;
    if (total > MAX_NS) return null;
  }
  return negative ? -total : total;
}

/** Seconds of a Go duration string ("1m5.328s" → 65.328), or null when invalid. */
export function parseGoDuration(s: string): number | null {
  const ns = parseGoDurationNs(s);
  return ns === null ? null : Number(ns) / 1e9;
}
