// Reading an export: a server-side cursor (pg-cursor: an extended-protocol portal fetched in
// batches) inside one REPEATABLE READ, READ ONLY transaction. Memory stays flat however many
// rows there are, and every row comes from the same consistent view of the database even while
// the collector commits snapshots. Timestamps arrive as ISO 8601 UTC text (the session is UTC and
// timestamptz is not parsed into a Date only to be printed again: that was a fifth of an export).
import pg from "pg";
import Cursor from "pg-cursor";
import type { Prisma } from "../generated/prisma/client.ts";

export interface ExportPoolOptions {
  /** Connections, so exports at once (the rest wait). */
  max?: number;
  /** How long an export waits for a connection before it is refused (ExportPoolBusyError). */
  waitMs?: number;
  /** The longest one statement (a cursor fetch) may run. */
  statementMs?: number;
  /** The longest a transaction may sit idle between fetches: the server's own backstop. */
  idleInTransactionMs?: number;
}

/**
 * A small pool of its own: Prisma's pool cannot hand out a connection for a cursor. Every limit
 * is bounded, so no client, however slow, holds a connection (and vacuum) for ever.
 */
export function createExportPool(url: string, opts: ExportPoolOptions = {}): pg.Pool {
  return new pg.Pool({
    connectionString: url,
    max: opts.max ?? 4,
    application_name: "pullsight-export",
    connectionTimeoutMillis: opts.waitMs ?? 5_000,
    statement_timeout: opts.statementMs ?? 60_000,
    idle_in_transaction_session_timeout: opts.idleInTransactionMs ?? 120_000,
  });
}

/** Every export connection is in use and none came free within the pool's wait. */
export class ExportPoolBusyError extends Error {}

async function connect(pool: pg.Pool): Promise<pg.PoolClient> {
  try {
    return await pool.connect();
  } catch (e) {
    if (e instanceof Error && /timeout exceeded when trying to connect/.test(e.message))
      throw new ExportPoolBusyError("every export connection is busy; try again shortly");
    throw e;
  }
}

const PG_UTC = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})(?:\.(\d{1,6}))?\+00$/;

/**
 * PostgreSQL's text for a timestamptz in a UTC session ("2026-11-21 19:34:38.12+00") as
 * Date#toISOString writes it ("2026-11-21T19:34:38.120Z"); anything else (infinity, years
 * beyond 9999 or before 1000, BC) goes through Date as before.
 */
export function pgTimestamptzToIso(text: string): string {
  const m = PG_UTC.exec(text);
  if (!m) {
    const date = pg.types.getTypeParser(1184, "text")(text) as Date | string;
    return date instanceof Date && !Number.isNaN(date.getTime()) ? date.toISOString() : String(text);
  }
  return `${m[1]}T${m[2]}.${(m[3] ?? "").padEnd(3, "0").slice(0, 3)}Z`;
}

const TIMESTAMPTZ = 1184;
const exportTypes = {
  getTypeParser: ((oid: number, format?: "text" | "binary") =>
    oid === TIMESTAMPTZ && format !== "binary"
      ? pgTimestamptzToIso
      : pg.types.getTypeParser(oid, format ?? "text")) as typeof pg.types.getTypeParser,
};

/** Yields the query's rows in batches; stops early (and rolls back) when the consumer returns. */
export async function* readWithCursor<T>(
  pool: pg.Pool,
  query: Prisma.Sql,
  batchSize = 250,
): AsyncGenerator<T[], void, undefined> {
  const client = await connect(pool);
  let cursor: Cursor<T> | null = null;
  let finished = false;
  try {
    await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    await client.query("SET LOCAL TIME ZONE 'UTC'");
    cursor = client.query(new Cursor<T>(query.text, query.values as unknown[], { types: exportTypes }));
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
