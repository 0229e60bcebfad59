import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { firstUnsearchableAncestor, freePort, isPortTaken } from "./embedded.ts";

const here = fileURLToPath(new URL(".", import.meta.url));
const fixture = path.join(here, "test-fixtures/hold-database.ts");

function startHolder(dataDir: string, port: number) {
  const child = spawn(process.execPath, ["--import", "tsx", fixture], {
    env: { ...process.env, DATABASE_URL: "", PULLSIGHT_DATA_DIR: dataDir, PULLSIGHT_PG_PORT: String(port) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const ready = new Promise<string>((resolve, reject) => {
    child.stdout.on("data", (d) => {
      output += d;
      const m = output.match(/READY (\S+)/);
      if (m?.[1]) resolve(m[1]);
    });
    child.stderr.on("data", (d) => {
      output += d;
    });
    child.once("exit", (code) => reject(new Error(`holder exited with ${code}:\n${output}`)));
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { child, ready, exited };
}

async function query(url: string, sql: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

/** mkdtemp makes 0700 directories; the `postgres` user (when we are root) must enter them. */
function tempDir(prefix: string) {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  chmodSync(dir, 0o755);
  return dir;
}

describe("embedded PostgreSQL lifecycle", () => {
  const dataDir = tempDir("pullsight-lifecycle-");
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it("migrates, stops on SIGINT leaving no server behind, and keeps the data for the next start", async () => {
    const port = await freePort();
    const first = startHolder(dataDir, port);
    const url = await first.ready;
    const tables = await query(
      url,
      "select count(*)::int as n from information_schema.tables where table_name = 'Cluster'",
    );
    assert.equal(tables[0].n, 1, "migrations created the Cluster table");
    await query(url, `insert into "Cluster" (name) values ('kept-across-restarts')`);

    first.child.kill("SIGINT");
    assert.equal(await first.exited, 0, "a stop that was asked for is not a failure");
    assert.equal(await isPortTaken(port), false, "nothing listens on the port after Ctrl-C");
    assert.equal(
      existsSync(path.join(dataDir, "postgres/postmaster.pid")),
      false,
      "PostgreSQL shut down cleanly",
    );

    const second = startHolder(dataDir, port);
    const url2 = await second.ready;
    const rows = await query(url2, `select name from "Cluster"`);
    assert.deepEqual(
      rows.map((r) => r.name),
      ["kept-across-restarts"],
    );
    second.child.kill("SIGTERM");
    assert.equal(await second.exited, 0);
    assert.equal(await isPortTaken(port), false);
  });

  it("refuses a port that is already taken with a message naming the fix", async () => {
    const port = await freePort();
    const first = startHolder(dataDir, port);
    await first.ready;
    const other = tempDir("pullsight-lifecycle-b-");
    const second = startHolder(other, port);
    await assert.rejects(second.ready, /Port \d+ is already in use.*PULLSIGHT_PG_PORT/s);
    first.child.kill("SIGTERM");
    await first.exited;
    rmSync(other, { recursive: true, force: true });
  });

  it("names the directory the postgres user cannot enter, instead of failing inside initdb", () => {
    const locked = mkdtempSync(path.join(tmpdir(), "pullsight-locked-"));
    try {
      assert.equal(firstUnsearchableAncestor(path.join(locked, "data/postgres")), locked);
      chmodSync(locked, 0o755);
      assert.equal(firstUnsearchableAncestor(path.join(locked, "data/postgres")), undefined);
    } finally {
      rmSync(locked, { recursive: true, force: true });
    }
  });
});
