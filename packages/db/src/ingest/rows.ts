// Bulk writes on a plain pg connection: one INSERT … SELECT FROM unnest(…) per chunk of rows (one
// array parameter per column), which PostgreSQL takes far faster than row-by-row statements.
import type pg from "pg";

/** A PostgreSQL array literal of strings (for a text[] column passed through a text[] of rows). */
export function pgTextArray(values: readonly string[]): string {
  return `{${values.map((v) => `"${v.replace(/[\\"]/g, "\\$&")}"`).join(",")}}`;
}

/** A column of a bulk insert: its name, the SQL type of the array it travels in, and a cast to the column's type. */
export type Column<R> = [name: string, arrayType: string, value: (row: R) => unknown, cast?: string];

const CHUNK = 20_000;

/**
 * INSERT … SELECT FROM unnest($1::t1[], $2::t2[], …): one statement per chunk of rows, one
 * parameter per column. Returns the RETURNING rows (when asked) in insertion order.
 */
export async function insertRows<R, Out = never>(
  c: pg.ClientBase,
  table: string,
  columns: Array<Column<R>>,
  rows: readonly R[],
  returning?: string,
): Promise<Out[]> {
  const out: Out[] = [];
  for (let at = 0; at < rows.length; at += CHUNK) {
    const chunk = rows.slice(at, at + CHUNK);
    const names = columns.map(([name]) => `"${name}"`).join(", ");
    const params = columns.map(([, type], i) => `$${i + 1}::${type}[]`).join(", ");
    const select = columns.map(([, , , cast], i) => (cast ? `u.c${i}::${cast}` : `u.c${i}`)).join(", ");
    const alias = columns.map((_, i) => `c${i}`).join(", ");
    const result = await c.query<Out & pg.QueryResultRow>(
      `INSERT INTO "${table}" (${names}) SELECT ${select} FROM unnest(${params}) AS u(${alias})${returning ? ` RETURNING ${returning}` : ""}`,
      columns.map(([, , value]) => chunk.map(value)),
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
