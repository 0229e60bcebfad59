// `pnpm db:diff <name>`: writes a new migration from the change between the committed schema
// (git HEAD) and prisma/schema.prisma. Prisma's `migrate dev` does not work with the JS engine,
// so migrations are written with `migrate diff` and reviewed like any other code.
import { execFileSync } from "node:child_process";
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { openDatabase } from "../database.ts";
import { readDatabaseEnv, repoRoot } from "../env.ts";
import { runPrismaCli } from "../migrate.ts";

const name = process.argv[2];
if (!name || !/^[a-z0-9_]+$/.test(name)) {
  console.error("usage: pnpm db:diff <snake_case_name>");
  process.exit(2);
}
const migrationsDir = path.join(repoRoot, "prisma/migrations");
const hasMigrations = readdirSync(migrationsDir).some((d) => /^\d{14}_/.test(d));
let from = ["--from-empty"];
if (hasMigrations) {
  const previous = path.join(tmpdir(), `pullsight-schema-head-${process.pid}.prisma`);
  writeFileSync(previous, execFileSync("git", ["show", "HEAD:prisma/schema.prisma"], { cwd: repoRoot }));
  from = ["--from-schema-datamodel", previous];
}
const db = await openDatabase(readDatabaseEnv(process.env));
try {
  const sql = await runPrismaCli(
    [
      "migrate",
      "diff",
      ...from,
      "--to-schema-datamodel",
      path.join(repoRoot, "prisma/schema.prisma"),
      "--script",
    ],
    db.url,
  );
  const body = sql
    .split("\n")
    .filter((l) => !l.startsWith("Loaded Prisma config"))
    .join("\n")
    .trim();
  if (!body || body === "-- This is an empty migration.") {
    console.log("schema unchanged: no migration written");
  } else {
    const stamp = new Date().toISOString().replace(/\D/g, "").slice(0, 14);
    const dir = path.join(migrationsDir, `${stamp}_${name}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, "migration.sql"), `${body}\n`);
    console.log(`wrote ${path.relative(repoRoot, dir)}/migration.sql`);
  }
} finally {
  await db.close();
}
