// Test databases: each test file gets its own database, copied from a migrated template on the
// test server that `pnpm test` starts (or on DATABASE_URL's server). Copying a template takes
// milliseconds; migrating from scratch takes seconds.
import { randomBytes } from "node:crypto";
import { createDb, type Db } from "./client.ts";
import { ensureDatabase, withAdminClient } from "./database.ts";

export interface TestDatabase {
  url: string;
  db: Db;
  /** Disconnects and drops the database. */
  drop(): Promise<void>;
}

/** Where the migrated template lives; set by scripts/test-all.ts. */
export function testTemplateUrl(): string {
  const url = process.env.PULLSIGHT_TEST_TEMPLATE_URL;
  if (!url) {
    throw new Error(
      "PULLSIGHT_TEST_TEMPLATE_URL is not set: integration tests run through `pnpm test` " +
        "(or `pnpm test:unit -- <file>`), which starts PostgreSQL and migrates a template database.",
    );
  }
  return url;
}

/** A fresh, migrated, empty database for one test file. */
export async function createTestDatabase(label = "t"): Promise<TestDatabase> {
  const template = new URL(testTemplateUrl());
  const templateName = decodeURIComponent(template.pathname.slice(1));
  const name = `pullsight_test_${label.replace(/\W/g, "_").toLowerCase()}_${randomBytes(4).toString("hex")}`;
  await ensureDatabase(template.toString(), name, templateName);
  const url = new URL(template);
  url.pathname = `/${name}`;
  const db = createDb(url.toString(), { max: 4 });
  return {
    url: url.toString(),
    db,
    async drop() {
      await db.$disconnect();
      await withAdminClient(url.toString(), (c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    },
  };
}
