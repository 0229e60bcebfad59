import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createTestDatabase, type TestDatabase } from "@pullsight/db/testing";
import { TRPCError } from "@trpc/server";
import { createCaller } from "../root.ts";
import { createContext } from "../trpc.ts";

describe("fleet router", () => {
  let t: TestDatabase;
  before(async () => {
    t = await createTestDatabase("api_fleet");
  });
  after(() => t.drop());

  it("fleet.overview returns what the database holds", async () => {
    await t.db.cluster.create({ data: { name: "prod", kubernetesVersion: "v1.31.0" } });
    const caller = createCaller(
      createContext({ db: t.db, user: { name: "v", role: "viewer", source: "demo" } }),
    );
    const fleet = await caller.fleet.overview();
    assert.equal(fleet.totals.clusters, 1);
    assert.equal(fleet.clusters[0]?.name, "prod");
    assert.equal(fleet.clusters[0]?.lastSnapshotStatus, null);
  });

  it("rejects unknown input as BAD_REQUEST, not a server error", async () => {
    const caller = createCaller(
      createContext({ db: t.db, user: { name: "v", role: "viewer", source: "demo" } }),
    );
    await assert.rejects(
      // @ts-expect-error: deliberately malformed input
      caller.fleet.overview({ cluster: 3 }),
      (e: unknown) => e instanceof TRPCError && e.code === "BAD_REQUEST",
    );
  });
});
