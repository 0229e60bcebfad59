// Bulk writes on a plain pg connection: one INSERT … SELECT FROM unnest(…) per chunk of rows (one
// array parameter per column, or one scalar for a column that holds one value), which PostgreSQL
// takes far faster than row-by-row statements.
import type pg from "pg";

/** A PostgreSQL array literal of strings (for a text[] column passed through a text[] of rows). */
export function pgTextArray(values: readonly string[]): string {
  return arrayLiteral(values);
}

/** A column of a bulk insert: its name, the SQL type of the array it travels in, and a cast to the column's type. */
export type Column<R> = [name: string, arrayType: string, value: (row: R) => unknown, cast?: string];

const CHUNK = 20_000;

/**
 * One element of a PostgreSQL array literal. pg's own array writer builds the same text by
 * repeated concatenation and formats every Date field by field in local time: on 20,000-row
 * chunks that garbage was a large share of the collector's allocations. Dates go as UTC ISO
 * text, which every timestamptz array reads as the same instant.
 */
function arrayElement(v: unknown): string {
  if (v === null || v === undefined) return "NULL";
  if (typeof v === "string") return NEEDS_ESCAPE.test(v) ? `"${v.replace(/[\\"]/g, "\\$&")}"` : `"${v}"`;
  if (typeof v === "number" || typeof v === "bigint") return String(v);
  if (typeof v === "boolean") return v ? "t" : "f";
  if (v instanceof Date) return `"${v.toISOString()}"`;
  throw new TypeError(`a bulk-insert value must be text, a number, a boolean or a Date, not ${typeof v}`);
}
const NEEDS_ESCAPE = /[\\"]/;

/** A PostgreSQL array literal of scalar values (null → NULL). */
export function arrayLiteral(values: readonly unknown[]): string {
  const parts = new Array<string>(values.length);
  for (let i = 0; i < values.length; i++) parts[i] = arrayElement(values[i]);
  return `{${parts.join(",")}}`;
}

const sameValue = (a: unknown, b: unknown) =>
  a === b || (a instanceof Date && b instanceof Date && a.getTime() === b.getTime());

/** The one value every row holds in this column, when there is one (a snapshot's time, its cluster). */
function constantOf(values: readonly unknown[]): { value: unknown } | null {
  const first = values[0];
  if (first !== null && typeof first === "object" && !(first instanceof Date)) return null;
  for (let i = 1; i < values.length; i++) if (!sameValue(values[i], first)) return null;
  return { value: first instanceof Date ? first.toISOString() : first };
}

/**
 * INSERT … SELECT FROM unnest($1::t1[], $2::t2[], …): one statement per chunk of rows, one
 * parameter per column — or one scalar parameter for a column every row of the chunk holds the
 * same value in. Returns the RETURNING rows (when asked) in insertion order.
 */
export async function insertRows<R, Out = never>(
  c: pg.ClientBase,
  table: string,
  columns: Array<Column<R>>,
  rows: readonly R[],
  returning?: string,
): Promise<Out[]> {
  const out: Out[] = [];
  const names = columns.map(([name]) => `"${name}"`).join(", ");
  for (let at = 0; at < rows.length; at += CHUNK) {
    const chunk = rows.slice(at, at + CHUNK);
    const params: unknown[] = [];
    const arrays: string[] = [];
    const select = columns.map(([, type, value, cast]) => {
      const values = chunk.map(value);
      const constant = constantOf(values);
      params.push(constant ? constant.value : arrayLiteral(values));
      const ref = constant ? `$${params.length}::${type}` : `u.c${arrays.length}`;
      if (!constant) arrays.push(`$${params.length}::${type}[]`);
      return cast ? `${ref}::${cast}` : ref;
    });
    // Every column constant: the rows are as many copies of one row.
    const from = arrays.length
      ? `unnest(${arrays.join(", ")}) AS u(${arrays.map((_, i) => `c${i}`).join(", ")})`
      : `generate_series(1, ${chunk.length})`;
    const result = await c.query<Out & pg.QueryResultRow>(
      `INSERT INTO "${table}" (${names}) SELECT ${select.join(", ")} FROM ${from}${returning ? ` RETURNING ${returning}` : ""}`,
      params,
    );
    if (returning) out.push(...result.rows);
  }
  return out;
}

/** UPDATE "table" SET … WHERE id = ANY(ids): the SCD2 close and the finding resolve. */
export async function updateByIds(
  c: pg.ClientBase,
  table: string,
  set: string,
  ids: string[],
  values: unknown[],
) {
  if (!ids.length) return;
  await c.query(`UPDATE "${table}" SET ${set} WHERE id = ANY($1::bigint[])`, [ids, ...values]);
}
