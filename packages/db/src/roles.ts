// The role the web and the collector connect as. It reads and writes rows but owns no table and is
// not a superuser, so it cannot drop or disable the triggers that keep a signed review unchanged
// (migration 20261203011000); migrations run as the tables' owner. The embedded server creates
// this role itself; on an external server the operator creates it (README, "Database roles").
import pg from "pg";

/** The embedded server's application role. */
export const APP_ROLE = "pullsight_app";

/**
 * What the application role may do, granted again after every migration (new tables included):
 * rows of every table, but a signed review only read and added, and migration history not at all.
 */
export async function grantAppRole(owner: pg.ClientBase, role: string): Promise<void> {
  const r = pg.escapeIdentifier(role);
  await owner.query(`GRANT USAGE ON SCHEMA public TO ${r}`);
  await owner.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${r}`);
  await owner.query(`GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ${r}`);
  await owner.query(`REVOKE UPDATE, DELETE, TRUNCATE ON "Review" FROM ${r}`);
  await owner.query(`REVOKE ALL ON "_prisma_migrations" FROM ${r}`);
}

/** Creates a login role without superuser, database or role creation rights, unless it exists. */
export async function ensureLoginRole(admin: pg.ClientBase, role: string, password: string): Promise<void> {
  const found = await admin.query("SELECT 1 FROM pg_roles WHERE rolname = $1", [role]);
  if (found.rowCount) return;
  await admin.query(
    `CREATE ROLE ${pg.escapeIdentifier(role)} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT PASSWORD ${pg.escapeLiteral(password)}`,
  );
}

/** Whether `url`'s role is a superuser or owns any of the database's tables (it should do neither). */
export async function roleOwnsTables(url: string): Promise<string | null> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ superuser: boolean; owned: number }>(
      `SELECT r.rolsuper AS superuser,
         (SELECT COUNT(*)::int FROM pg_tables t WHERE t.schemaname = 'public' AND t.tableowner = current_user) AS owned
       FROM pg_roles r WHERE r.rolname = current_user`,
    );
    const row = rows[0];
    if (row?.superuser) return "is a superuser";
    if (row && row.owned > 0) return `owns ${row.owned} tables`;
    return null;
  } finally {
    await client.end();
  }
}

/** `url` with another user and password. */
export function withCredentials(url: string, user: string, password: string): string {
  const u = new URL(url);
  u.username = encodeURIComponent(user);
  u.password = encodeURIComponent(password);
  return u.toString();
}

/**
 * Grants `url`'s role its rights, connected as the owner at `ownerUrl`. One migration step at a
 * time: two replicas' steps granting at once could collide on the same catalog rows
 * ("tuple concurrently updated"), so the grants wait for a transaction-scoped advisory lock.
 */
export async function grantToUrlRole(ownerUrl: string, url: string): Promise<void> {
  const role = decodeURIComponent(new URL(url).username);
  const client = new pg.Client({ connectionString: ownerUrl });
  await client.connect();
  try {
    await client.query("BEGIN");
    await client.query("SELECT pg_advisory_xact_lock(hashtext('pullsight:grant-app-role'))");
    await grantAppRole(client, role);
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    throw error;
  } finally {
    await client.end();
  }
}
