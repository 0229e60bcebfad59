// Migrations when several processes start at once (one collector per cluster, web replicas): on
// an empty database three concurrent applyMigrations all succeed — Prisma's own lock alone gives
// up after 10 s (P1002) — and leave every committed migration applied, once.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { describe, it } from "node:test";
import pg from "pg";
import { ensureDatabase, withAdminClient } from "./database.ts";
import { applyMigrations, pendingMigrations } from "./migrate.ts";
import { testTemplateUrl } from "./testing.ts";

describe("applyMigrations", () => {
  it("three processes migrating one empty database at once all succeed, each migration applied once", async () => {
    const url = new URL(testTemplateUrl());
    const name = `pullsight_test_migrate_${randomBytes(4).toString("hex")}`;
    url.pathname = `/${name}`;
    // An empty database (template0), not a copy of the migrated template.
    await ensureDatabase(url.toString(), name, "template0");
    try {
      await Promise.all([1, 2, 3].map(() => applyMigrations(url.toString())));
      const client = new pg.Client({ connectionString: url.toString() });
      await client.connect();
      try {
        assert.deepEqual(await pendingMigrations(client), []);
        const { rows } = await client.query<{ n: number; distinct: number }>(
          'SELECT COUNT(*)::int AS n, COUNT(DISTINCT migration_name)::int AS distinct FROM "_prisma_migrations"',
        );
        assert.equal(rows[0]?.n, rows[0]?.distinct, "no migration applied twice");
        assert.ok((rows[0]?.n ?? 0) > 10);
      } finally {
        await client.end();
      }
    } finally {
      await withAdminClient(url.toString(), (c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    }
  });
});
