import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { describe, it } from "node:test";
import fc from "fast-check";
import { logLevelFromEnv } from "./env.ts";
import { createLogger } from "./log.ts";
import { REDACTED, scrub } from "./redact.ts";

/** A logger writing into an array of parsed lines. */
function capture(level: Parameters<typeof createLogger>[0]["level"] = "debug") {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split("\n").filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { log: createLogger({ name: "test", level, stream }), lines };
}

// Secrets as they would be generated: long enough and alphanumeric, so a match is the secret.
const secret = fc.stringMatching(/^[A-Za-z0-9]{12,40}$/);

describe("logger", () => {
  it("writes one JSON object per event with level name, ISO time, process name, message and fields", () => {
    const { log, lines } = capture();
    log.info("snapshot stored", { cluster: "prod-eu-1", rows: 42 });
    assert.equal(lines.length, 1);
    const [line] = lines;
    assert.equal(line?.level, "info");
    assert.equal(line?.name, "test");
    assert.equal(line?.msg, "snapshot stored");
    assert.equal(line?.cluster, "prod-eu-1");
    assert.equal(line?.rows, 42);
    assert.ok(!Number.isNaN(Date.parse(String(line?.time))));
  });

  it("writes only events at or above its level", () => {
    const { log, lines } = capture("warn");
    log.debug("d");
    log.info("i");
    log.warn("w");
    log.error("e");
    assert.deepEqual(
      lines.map((l) => l.level),
      ["warn", "error"],
    );
  });

  it("never writes a password, token or secret-named field, wherever it appears", () => {
    fc.assert(
      fc.property(secret, fc.constantFrom("msg", "field", "nested", "error", "child"), (s, where) => {
        const { log, lines } = capture();
        const url = `postgresql://pullsight:${s}@db.internal:5432/pullsight`;
        if (where === "msg") log.info(`connecting to ${url} with Bearer ${s}`);
        if (where === "field") log.info("x", { password: s, DATABASE_URL: "anything", apiKey: s });
        if (where === "nested") log.warn("x", { request: { headers: { authorization: `Basic ${s}` }, url } });
        if (where === "error") log.error("failed", { error: new Error(`connect ${url} failed`) });
        if (where === "child") log.child({ token: s, target: url }).info("x");
        const text = JSON.stringify(lines);
        assert.equal(lines.length, 1);
        assert.ok(!text.includes(s), text);
        assert.ok(text.includes(REDACTED), text);
      }),
      { numRuns: 200 },
    );
  });

  it("keeps what is not a secret: hosts, users and ordinary text", () => {
    assert.equal(
      scrub("postgresql://pullsight:hunter2@db:5432/x and https://registry.example.com/v2/"),
      `postgresql://pullsight:${REDACTED}@db:5432/x and https://registry.example.com/v2/`,
    );
  });
});

describe("PULLSIGHT_LOG_LEVEL", () => {
  it("defaults to info, accepts any case, and refuses what is not a level", () => {
    assert.equal(logLevelFromEnv({}), "info");
    assert.equal(logLevelFromEnv({ PULLSIGHT_LOG_LEVEL: " WARN " }), "warn");
    assert.throws(() => logLevelFromEnv({ PULLSIGHT_LOG_LEVEL: "verbose" }), /must be one of/);
  });
});
