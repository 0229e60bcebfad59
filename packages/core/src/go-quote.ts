// Reads a Go %q-quoted string (strconv.Quote) starting at `start`, which must be a double quote.
// Returns the unquoted value and the index after the closing quote, or null if unterminated.

const SIMPLE: Record<string, string> = {
  a: "\x07",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
  v: "\v",
  "\\": "\\",
  '"': '"',
  "'": "'",
};

export function readGoQuoted(s: string, start: number): { value: string; end: number } | null {
  if (s[start] !== '"') return null;
  let out = "";
  let i = start + 1;
  while (i < s.length) {
    const ch = s[i] as string;
    if (ch === '"') return { value: out, end: i + 1 };
    if (ch !== "\\") {
      out += ch;
      i++;
      continue;
    }
    const esc = s[i + 1];
    if (esc === undefined) return null;
    const simple = SIMPLE[esc];
    if (simple !== undefined) {
      out += simple;
      i += 2;
      continue;
    }
    const hexLength = esc === "x" ? 2 : esc === "u" ? 4 : esc === "U" ? 8 : 0;
    if (hexLength) {
      const hex = s.slice(i + 2, i + 2 + hexLength);
      if (hex.length !== hexLength || !/^[0-9a-fA-F]+$/.test(hex)) return null;
      const cp = Number.parseInt(hex, 16);
      out += esc === "x" ? String.fromCharCode(cp) : cp <= 0x10ffff ? String.fromCodePoint(cp) : "\ufffd";
      i += 2 + hexLength;
      continue;
    }
    const oct = s.slice(i + 1, i + 4);
    if (/^[0-7]{3}$/.test(oct)) {
      out += String.fromCharCode(Number.parseInt(oct, 8) & 0xff);
      i += 4;
      continue;
    }
    return null;
  }
  return null;
}
