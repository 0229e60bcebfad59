// A page of a query's rows and how many there are in all, counted only when the page is full.
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
