// The reader pages through every list of a cluster: each page on a connection kept alive, not on
// a new TLS connection per request (the client library's own agent does not keep them).
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Simulator } from "@pullsight/k8s-sim";
import { simClients, writeSimKubeconfig } from "../testing.ts";
import { readCluster } from "./reader.ts";

describe("cluster client", () => {
  let sim: Simulator;
  before(async () => {
    sim = await Simulator.start({ clusters: 1, podsPerCluster: 400, seed: 5 });
  });
  after(() => sim.stop());

  it("pages every list over a few kept-alive connections", async () => {
    const [client] = simClients(sim, writeSimKubeconfig(sim, "client-"));
    const listener = sim.clusters[0]?.listener;
    assert.ok(client && listener);
    assert.ok(listener.url.startsWith("https:"), "TLS, as a real API server");
    const before = listener.connectionsAccepted;
    const raw = await readCluster(client, { pageSize: 20 });
    assert.deepEqual(raw.failures, []);
    const connections = listener.connectionsAccepted - before;
    assert.ok(raw.requests >= 40, `${raw.requests} requests`);
    // The agent keeps at most 8 sockets; the reader asks kinds one or a few at a time.
    assert.ok(connections <= 8, `${connections} connections for ${raw.requests} requests`);
  });
});
