import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { readDatabaseEnv } from "./env.ts";

describe("readDatabaseEnv", () => {
  it("defaults to the embedded database under .data on port 5439", () => {
    const env = readDatabaseEnv({});
    assert.equal(env.DATABASE_URL, undefined);
    assert.equal(env.PULLSIGHT_DATA_DIR, ".data");
    assert.equal(env.PULLSIGHT_PG_PORT, 5439);
  });
  it("treats an empty DATABASE_URL (as in .env.example) as unset", () => {
    assert.equal(readDatabaseEnv({ DATABASE_URL: "  " }).DATABASE_URL, undefined);
  });
  it("accepts postgres:// and postgresql:// URLs", () => {
    for (const url of ["postgres://u:p@db:5432/x", "postgresql://u@localhost/x?sslmode=require"]) {
      assert.equal(readDatabaseEnv({ DATABASE_URL: url }).DATABASE_URL, url);
    }
  });
  it("rejects other URLs and bad ports with a readable reason", () => {
    assert.throws(
      () => readDatabaseEnv({ DATABASE_URL: "mysql://x/y" }),
      /DATABASE_URL must be a postgres:\/\/ URL/,
    );
    assert.throws(() => readDatabaseEnv({ PULLSIGHT_PG_PORT: "70000" }), /PULLSIGHT_PG_PORT/);
  });
});
