// Prisma's native schema engine cannot be downloaded on our machines, so the CLI runs on
// the JS engine with the pg driver adapter (see README "Database"). DATABASE_URL is set by
// whoever runs the CLI: packages/db's migrate script, or the operator.

import path from "node:path";
import { fileURLToPath } from "node:url";
import { PrismaPg } from "@prisma/adapter-pg";
import { defineConfig } from "prisma/config";

// Prisma 6 reads env("DATABASE_URL") from the schema even for commands that never connect
// (generate, validate); when it cannot, it falls back to downloading a native engine, which
// fails offline. Those commands get a placeholder; anything that connects refuses it below.
const PLACEHOLDER = "postgresql://placeholder.invalid/pullsight";
process.env.DATABASE_URL ||= PLACEHOLDER;

const root = path.resolve(fileURLToPath(new URL(".", import.meta.url)), "../..");

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: path.join(root, "prisma/schema.prisma"),
  migrations: { path: path.join(root, "prisma/migrations") },
  async adapter() {
    const connectionString = process.env.DATABASE_URL;
    if (!connectionString || connectionString === PLACEHOLDER) {
      throw new Error("DATABASE_URL must be set for Prisma commands that connect to a database");
    }
    return new PrismaPg({ connectionString });
  },
});
