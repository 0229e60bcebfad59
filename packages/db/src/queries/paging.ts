// Paging: a page of a query's rows with how many there are in all (counted only when the page is
// full), and keyset cursors for lists sorted by a column (the sort value and the row's id, opaque
// to clients and checked when they come back).
import { SEVERITIES, unstorableText } from "@pullsight/core";
import type { Db } from "../client.ts";
import { Prisma } from "../generated/prisma/client.ts";

export async function pageWithTotal<T>(
  db: Db,
  query: Prisma.Sql,
  limit: number,
): Promise<{ rows: T[]; total: number }> {
  const rows = await db.$queryRaw<T[]>(Prisma.sql`${query} LIMIT ${limit + 1}`);
  if (rows.length <= limit) return { rows, total: rows.length };
  const counted = await db.$queryRaw<Array<{ n: bigint }>>(
    Prisma.sql`SELECT COUNT(*) AS n FROM (${query}) q`,
  );
  return { rows: rows.slice(0, limit), total: Number(counted[0]?.n ?? 0) };
}

export type SortType = "text" | "int" | "timestamptz" | "severity";

/** The PostgreSQL type a cursor's value is cast to. */
const CAST: Record<SortType, string> = {
  text: "text",
  int: "int",
  timestamptz: "timestamptz",
  severity: '"FindingSeverity"',
};

/** Where a page ended: the last row's sort value and id. */
export interface Cursor {
  v: string | number;
  id: string;
}
export const encodeCursor = (c: Cursor) => Buffer.from(JSON.stringify(c)).toString("base64url");

export class InvalidCursorError extends Error {}

const MAX_BIGINT = 2n ** 63n - 1n;
const MAX_INT = 2_147_483_647;

/** A value of the sort's type that PostgreSQL can take, or nothing. */
function cursorValueFits(v: unknown, type: SortType): boolean {
  switch (type) {
    case "int":
      return typeof v === "number" && Number.isInteger(v) && Math.abs(v) <= MAX_INT;
    case "timestamptz": {
      const t = typeof v === "string" ? Date.parse(v) : Number.NaN;
      return t >= 0 && t < Date.UTC(10_000, 0, 1);
    }
    case "text":
      return typeof v === "string" && v.length <= 1000 && unstorableText(v) === null;
    case "severity":
      return typeof v === "string" && (SEVERITIES as readonly string[]).includes(v);
  }
}

/** A cursor this list handed out for this sort; anything else (forged, stale) is refused. */
export function decodeCursor(s: string, type: SortType): Cursor {
  try {
    const c = JSON.parse(Buffer.from(s, "base64url").toString("utf8")) as Cursor;
    if (!cursorValueFits(c?.v, type) || !/^\d{1,19}$/.test(String(c.id)) || BigInt(c.id) > MAX_BIGINT)
      throw new Error();
    return c;
  } catch {
    throw new InvalidCursorError("the cursor is not one this list handed out");
  }
}

/** Rows after the cursor in the sort's direction (ties broken by id, in the same direction). */
export function afterCursor(
  cursor: Cursor | null,
  type: SortType,
  desc: boolean,
): (expr: Prisma.Sql, id: Prisma.Sql) => Prisma.Sql {
  const cmp = Prisma.raw(desc ? "<" : ">");
  return (expr, id) =>
    cursor
      ? Prisma.sql`(${expr}, ${id}) ${cmp} (${cursor.v}::${Prisma.raw(CAST[type])}, ${BigInt(cursor.id)})`
      : Prisma.sql`TRUE`;
}

export type ListOrder = "asc" | "desc";

/** One way a top-N list sorts: an expression over its query's columns (`q.<column>`). */
export interface ListSort {
  expr: Prisma.Sql;
  /** The direction it starts in when chosen (counts largest first, ages oldest first). */
  first: ListOrder;
}

/** A sort a client chose (either part may be left out: the list's default, the sort's first direction). */
export interface ListSortChoice<K extends string> {
  by?: K | undefined;
  order?: ListOrder | undefined;
}

/**
 * A list's query ordered by one of its sorts; rows without a value come last either way, and ties
 * keep the list's own order (`then`), so a page is the same at every request.
 */
export function orderedBy<K extends string>(
  query: Prisma.Sql,
  sorts: Record<K, ListSort>,
  sort: ListSortChoice<K> & { fallback: K },
  then: Prisma.Sql,
): Prisma.Sql {
  const s = sorts[sort.by ?? sort.fallback];
  const dir = Prisma.raw((sort.order ?? s.first) === "desc" ? "DESC" : "ASC");
  return Prisma.sql`SELECT * FROM (${query}) q ORDER BY ${s.expr} ${dir} NULLS LAST, ${then}`;
}

/** The direction each of a list's sorts starts in, for the headers that offer them. */
export const firstOrders = <K extends string>(sorts: Record<K, ListSort>) =>
  Object.fromEntries(Object.entries<ListSort>(sorts).map(([k, s]) => [k, s.first])) as Record<K, ListOrder>;
