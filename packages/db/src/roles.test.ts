import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import pg from "pg";
import { ensureLoginRole, grantToUrlRole, roleOwnsTables, withCredentials } from "./roles.ts";
import { createTestDatabase, type TestDatabase } from "./testing.ts";

describe("the application role", () => {
  let t: TestDatabase;
  let app: pg.Client;
  const role = `pullsight_app_test_${randomBytes(3).toString("hex")}`;
  const password = randomBytes(12).toString("hex");

  before(async () => {
    t = await createTestDatabase("roles");
    const owner = new pg.Client({ connectionString: t.url });
    await owner.connect();
    await ensureLoginRole(owner, role, password);
    await ensureLoginRole(owner, role, password); // idempotent
    await owner.end();
    const url = withCredentials(t.url, role, password);
    await grantToUrlRole(t.url, url);
    app = new pg.Client({ connectionString: url });
    await app.connect();
  });
  after(async () => {
    await app?.end();
    const owner = new pg.Client({ connectionString: t.url });
    await owner.connect();
    await owner.query(`DROP OWNED BY ${pg.escapeIdentifier(role)}`);
    await owner.end();
    await t.drop();
    const admin = new pg.Client({ connectionString: t.url.replace(/\/[^/]*$/, "/postgres") });
    await admin.connect();
    await admin.query(`DROP ROLE IF EXISTS ${pg.escapeIdentifier(role)}`);
    await admin.end();
  });

  it("owns no table and is no superuser, while the owner is flagged", async () => {
    assert.equal(await roleOwnsTables(withCredentials(t.url, role, password)), null);
    assert.match((await roleOwnsTables(t.url)) ?? "", /superuser|owns/);
  });

  it("writes rows, signs a review, and can neither change it nor drop the trigger that guards it", async () => {
    await app.query(`INSERT INTO "Cluster" (name, "createdAt") VALUES ('c1', now())`);
    const { rows } = await app.query<{ id: number }>(
      `INSERT INTO "Review" ("isoWeek", scope, reviewer, role, notes, summary) VALUES ('2026-W49', 'fleet', 'r', 'reviewer', 'n', '{}') RETURNING id`,
    );
    assert.ok(rows[0]?.id);
    await assert.rejects(app.query(`UPDATE "Review" SET notes = 'x'`), /permission denied/);
    await assert.rejects(app.query(`DELETE FROM "Review"`), /permission denied/);
    await assert.rejects(app.query(`DROP TRIGGER review_signed_row ON "Review"`), /must be owner/);
    await assert.rejects(app.query(`ALTER TABLE "Review" DISABLE TRIGGER ALL`), /must be owner/);
    await assert.rejects(app.query(`SELECT * FROM "_prisma_migrations"`), /permission denied/);
    // The owner is refused by the trigger, with an error rather than silence.
    await assert.rejects(
      t.db.$executeRaw`UPDATE "Review" SET notes = 'x'`,
      /a signed review cannot be changed/,
    );
  });
});
