// One CSV record as the exports write it: RFC 4180 (CRLF, quotes doubled), every cell a
// spreadsheet could execute neutralised as OWASP's CSV-injection guidance says.

const FORMULA_CHARS = "=+-@";

/**
 * True when a spreadsheet could read the text as a formula: it starts with a tab or carriage
 * return, or its first non-blank character is = + - @ in any form that folds to one (full-width
 * ＝＋－＠, small forms), since spreadsheets skip leading blanks and read full-width signs.
 */
export function startsLikeFormula(s: string): boolean {
  const first = s.charCodeAt(0);
  if (first === 0x09 || first === 0x0d) return true;
  const m = /\S/u.exec(s);
  if (!m) return false;
  const c = m[0];
  return FORMULA_CHARS.includes(c) || (c > "\x7f" && FORMULA_CHARS.includes(c.normalize("NFKC").charAt(0)));
}

/**
 * A cell as text: ISO 8601 UTC for times; text a spreadsheet would run is neutralised with a
 * leading apostrophe, as OWASP recommends (numbers are left alone).
 */
export function csvCell(v: unknown): string | number | boolean | null {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return v.toISOString();
  if (typeof v === "number" || typeof v === "boolean") return v;
  if (typeof v === "bigint") return v.toString();
  const s = typeof v === "string" ? v : JSON.stringify(v);
  return startsLikeFormula(s) ? `'${s}` : s;
}

// Quotes, commas and line breaks by RFC 4180; semicolons and tabs too, because a spreadsheet in a
// locale whose list separator is ";" (or a tab-separated import) would otherwise split the cell
// there, and the piece after the split could start a formula.
const NEEDS_QUOTES = /[",;\t\r\n]/;

/**
 * One CSV record, CRLF-terminated: byte for byte what csv-stringify writes for these cells with
 * `record_delimiter: "\r\n"`, `quote_record_delimiter: true` (any \r or \n in a field is quoted),
 * `quoted_match: /[;\t]/` and booleans as true/false (exports.test.ts checks it for any cells).
 * csv-stringify's general machinery (options, casts, callbacks per field) was the larger part
 * of an export's time and most of its garbage (bench figure 4); this is its default path only.
 */
export function csvRecord(cells: ReadonlyArray<string | number | boolean | null>): string {
  let line = "";
  for (let i = 0; i < cells.length; i++) {
    if (i > 0) line += ",";
    const cell = cells[i];
    if (cell === null || cell === undefined || cell === "") continue;
    const text = typeof cell === "string" ? cell : String(cell);
    line += NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
  }
  return `${line}\r\n`;
}
