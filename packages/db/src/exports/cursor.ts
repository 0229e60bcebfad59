// Reading an export: a server-side cursor (pg-cursor: an extended-protocol portal fetched in
// batches) inside one REPEATABLE READ, READ ONLY transaction. Memory stays flat however many
// rows there are, and every row comes from the same consistent view of the database even while
// the collector commits snapshots.
import pg from "pg";
import Cursor from "pg-cursor";
import type { Prisma } from "../generated/prisma/client.ts";

/** A small pool of its own: Prisma's pool cannot hand out a connection for a cursor. */
export function createExportPool(url: string, max = 4): pg.Pool {
  return new pg.Pool({ connectionString: url, max, application_name: "pullsight-export" });
}

/** Yields the query's rows in batches; stops early (and rolls back) when the consumer returns. */
export async function* readWithCursor<T>(
  pool: pg.Pool,
  query: Prisma.Sql,
  batchSize = 2000,
): AsyncGenerator<T[], void, undefined> {
  const client = await pool.connect();
  let cursor: Cursor<T> | null = null;
  let finished = false;
  try {
    await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    cursor = client.query(new Cursor<T>(query.text, query.values as unknown[]));
    for (;;) {
      const rows = await cursor.read(batchSize);
      if (rows.length === 0) break;
      yield rows;
    }
    await cursor.close();
    cursor = null;
    await client.query("COMMIT");
    finished = true;
  } finally {
    // Stopped early or failed: roll back; a connection that cannot even do that is discarded.
    let broken = false;
    if (!finished) {
      try {
        await cursor?.close();
        await client.query("ROLLBACK");
      } catch {
        broken = true;
      }
    }
    client.release(broken);
  }
}
