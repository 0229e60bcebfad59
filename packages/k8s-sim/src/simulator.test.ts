// Long by design: the simulator is held to Kubernetes' API semantics one behaviour at a time.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import https from "node:https";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import * as k8s from "@kubernetes/client-node";
import { startControlServer } from "./control.ts";
import { Simulator } from "./simulator.ts";

const run = promisify(execFile);
const KUBECTL = "/usr/bin/kubectl";

/** A raw GET with the simulator's CA, for headers client-node does not send. */
function get(
  sim: Simulator,
  cluster: string,
  pathAndQuery: string,
  headers: Record<string, string> = {},
  token?: string,
) {
  const c = sim.cluster(cluster);
  const url = new URL(pathAndQuery, c.url);
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = https.get(
      url,
      {
        ca: sim.caPem ?? undefined,
        headers: { ...(token === "" ? {} : { Authorization: `Bearer ${token ?? c.token}` }), ...headers },
      },
      (res) => {
        let body = "";
        res.on("data", (d) => {
          body += d;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on("error", reject);
  });
}

function client(sim: Simulator, cluster: string) {
  const kc = new k8s.KubeConfig();
  kc.loadFromString(sim.kubeconfig());
  kc.setCurrentContext(cluster);
  return {
    kc,
    core: kc.makeApiClient(k8s.CoreV1Api),
    apps: kc.makeApiClient(k8s.AppsV1Api),
    batch: kc.makeApiClient(k8s.BatchV1Api),
    events: kc.makeApiClient(k8s.EventsV1Api),
  };
}

describe("k8s-sim", () => {
  let sim: Simulator;
  before(async () => {
    sim = await Simulator.start({ clusters: 2, podsPerCluster: 600, seed: 7, bookmarkIntervalMs: 200 });
  });
  after(() => sim.stop());

  it("is deterministic for a seed: same objects, same truth", async () => {
    const again = await Simulator.start({ clusters: 1, podsPerCluster: 600, seed: 7 });
    try {
      const a = sim.clusters[0]?.sim as NonNullable<(typeof sim.clusters)[0]>["sim"];
      const b = again.clusters[0]?.sim as typeof a;
      assert.deepEqual(b.truth(), a.truth());
      const pods = (s: typeof a) => JSON.stringify(s.store.collection("/pods").list());
      assert.equal(pods(b), pods(a));
      const other = await Simulator.start({ clusters: 1, podsPerCluster: 600, seed: 8 });
      assert.notEqual(pods(other.clusters[0]?.sim as typeof a), pods(a));
      await other.stop();
    } finally {
      await again.stop();
    }
  });

  it("requires a bearer token: 401 Status without one", async () => {
    const r = await get(sim, "prod-eu-1", "/api/v1/pods", {}, "");
    assert.equal(r.status, 401);
    assert.deepEqual(JSON.parse(r.body), {
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: "Unauthorized",
      reason: "Unauthorized",
      code: 401,
    });
  });

  it("serves discovery for every group version", async () => {
    const groups = JSON.parse((await get(sim, "prod-eu-1", "/apis")).body);
    assert.deepEqual(groups.groups.map((g: { name: string }) => g.name).sort(), [
      "apps",
      "batch",
      "events.k8s.io",
    ]);
    const core = JSON.parse((await get(sim, "prod-eu-1", "/api/v1")).body);
    assert.ok(
      core.resources.some((r: { name: string; namespaced: boolean }) => r.name === "pods" && r.namespaced),
    );
    const version = JSON.parse((await get(sim, "prod-us-1", "/version")).body);
    assert.equal(version.gitVersion, "v1.29.8");
  });

  it("client-node lists every kind through pagination, matching the truth", async () => {
    const { core, apps, batch, events } = client(sim, "prod-eu-1");
    const truth = sim.cluster("prod-eu-1").sim.truth();
    const drain = async (
      fn: (o: {
        limit: number;
        _continue?: string;
      }) => Promise<{ items: unknown[]; metadata?: { _continue?: string } }>,
    ) => {
      let n = 0;
      let token: string | undefined;
      do {
        const page = await fn({ limit: 50, ...(token ? { _continue: token } : {}) });
        n += page.items.length;
        token = page.metadata?._continue;
      } while (token);
      return n;
    };
    assert.equal(await drain((o) => core.listPodForAllNamespaces(o)), truth.objects.pods);
    assert.equal(await drain((o) => core.listNamespace(o)), truth.objects.namespaces);
    assert.equal(await drain((o) => core.listNode(o)), truth.objects.nodes);
    assert.equal(
      await drain((o) => core.listServiceAccountForAllNamespaces(o)),
      truth.objects.serviceaccounts,
    );
    assert.equal(await drain((o) => core.listEventForAllNamespaces(o)), truth.events.live);
    assert.equal(await drain((o) => events.listEventForAllNamespaces(o)), truth.events.live);
    assert.equal(await drain((o) => apps.listDeploymentForAllNamespaces(o)), truth.objects.deployments);
    assert.equal(await drain((o) => apps.listReplicaSetForAllNamespaces(o)), truth.objects.replicasets);
    assert.equal(await drain((o) => apps.listStatefulSetForAllNamespaces(o)), truth.objects.statefulsets);
    assert.equal(await drain((o) => apps.listDaemonSetForAllNamespaces(o)), truth.objects.daemonsets);
    assert.equal(await drain((o) => batch.listJobForAllNamespaces(o)), truth.objects.jobs);
    assert.equal(await drain((o) => batch.listCronJobForAllNamespaces(o)), truth.objects.cronjobs);
  });

  it("a paginated list is a consistent snapshot, even while the cluster changes", async () => {
    const { core } = client(sim, "prod-eu-1");
    const first = await core.listPodForAllNamespaces({ limit: 100 });
    sim.advanceBy(30 * 60_000); // pods come and go
    let names = first.items.map((p) => p.metadata?.name);
    let token = first.metadata?._continue;
    while (token) {
      const page = await core.listPodForAllNamespaces({ limit: 100, _continue: token });
      names = names.concat(page.items.map((p) => p.metadata?.name));
      token = page.metadata?._continue;
    }
    assert.equal(new Set(names).size, names.length, "no pod twice");
    assert.equal(names.length, Number(first.metadata?.remainingItemCount ?? 0) + first.items.length);
  });

  it("answers an expired continue token with 410 Expired, as Kubernetes does", async () => {
    const { core } = client(sim, "prod-eu-1");
    const first = await core.listPodForAllNamespaces({ limit: 100 });
    await sim.setFaults("prod-eu-1", { expireContinue: true });
    try {
      await assert.rejects(
        core.listPodForAllNamespaces({ limit: 100, _continue: first.metadata?._continue as string }),
        (e: unknown) => {
          assert.ok(e instanceof k8s.ApiException);
          assert.equal(e.code, 410);
          const body = JSON.parse(String(e.body));
          assert.equal(body.reason, "Expired");
          assert.match(body.message, /continue parameter is too old/);
          return true;
        },
      );
    } finally {
      await sim.clearFaults("prod-eu-1");
    }
    // Starting over works.
    assert.equal((await core.listPodForAllNamespaces({ limit: 100 })).items.length, 100);
  });

  it("watches deliver changes, resume by resourceVersion after a dropped watch, and lose nothing", async () => {
    const { kc, core } = client(sim, "prod-us-1");
    const list = await core.listEventForAllNamespaces({});
    let rv = list.metadata?.resourceVersion as string;
    const seen = new Map<string, number>();
    const c = sim.cluster("prod-us-1");
    const watchOnce = () =>
      new Promise<void>((resolve, reject) => {
        new k8s.Watch(kc)
          .watch(
            "/api/v1/events",
            { resourceVersion: rv, allowWatchBookmarks: true },
            (type, obj: k8s.CoreV1Event) => {
              rv = obj.metadata?.resourceVersion ?? rv;
              if (type === "ADDED" || type === "MODIFIED")
                seen.set(obj.metadata?.uid as string, obj.count ?? 1);
            },
            () => resolve(),
          )
          .catch(reject);
      });
    const since = c.sim.now;
    await sim.setFaults("prod-us-1", { dropWatchesAfter: 150 });
    let rounds = 0;
    let stop = false;
    const done = (async () => {
      while (!stop && rounds < 2000) {
        rounds++;
        await watchOnce();
      }
    })();
    await new Promise((r) => setTimeout(r, 100));
    sim.advanceBy(45 * 60_000);
    // Resume after every drop until everything emitted has been seen (or give up after 20 s).
    const deadline = Date.now() + 20_000;
    const caughtUp = () => c.sim.events(since + 1).every((e) => seen.get(e.uid) === e.count);
    while (!caughtUp() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await sim.clearFaults("prod-us-1");
    sim.advanceBy(60_000);
    await new Promise((r) => setTimeout(r, 300));
    const emitted = c.sim.events(since + 1);
    assert.ok(emitted.length > 50, `the clock produced events (${emitted.length})`);
    assert.ok(rounds > 1, "the watch was dropped and resumed");
    for (const e of emitted) assert.equal(seen.get(e.uid), e.count, `event ${e.name} ${e.reason}`);
    // Stop the last watch.
    stop = true;
    await sim.setFaults("prod-us-1", { dropWatchesAfter: 0 });
    sim.advanceBy(60_000);
    await Promise.race([done, new Promise((r) => setTimeout(r, 1000))]);
    await sim.clearFaults("prod-us-1");
  });

  it("answers a watch from a compacted resourceVersion with a 410 ERROR event", async () => {
    const r = await get(sim, "prod-eu-1", "/api/v1/pods?watch=1&resourceVersion=1");
    const first = JSON.parse(r.body.split("\n")[0] as string);
    assert.equal(first.type, "ERROR");
    assert.equal(first.object.code, 410);
    assert.match(first.object.message, /too old resource version: 1/);
  });

  it("filters by fieldSelector and labelSelector", async () => {
    const { core } = client(sim, "prod-eu-1");
    const pulled = await core.listEventForAllNamespaces({
      fieldSelector: "reason=Pulled,involvedObject.kind=Pod",
    });
    assert.ok(pulled.items.length > 0 && pulled.items.every((e) => e.reason === "Pulled"));
    const someApp = (await core.listPodForAllNamespaces({ limit: 1 })).items[0]?.metadata?.labels
      ?.app as string;
    const byLabel = await core.listPodForAllNamespaces({ labelSelector: `app=${someApp}` });
    assert.ok(byLabel.items.length >= 1 && byLabel.items.every((p) => p.metadata?.labels?.app === someApp));
    const notIn = await core.listPodForAllNamespaces({ labelSelector: `app notin (${someApp})` });
    const all = await core.listPodForAllNamespaces({});
    assert.equal(notIn.items.length + byLabel.items.length, all.items.length);
    await assert.rejects(
      core.listEventForAllNamespaces({ fieldSelector: "spec.bogus=1" }),
      (e: unknown) => e instanceof k8s.ApiException && e.code === 400,
    );
  });

  it("serves Secrets as metadata only when asked, with no data", async () => {
    const r = await get(sim, "prod-eu-1", "/api/v1/secrets?limit=500", {
      Accept: "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1",
    });
    const body = JSON.parse(r.body);
    assert.equal(body.kind, "PartialObjectMetadataList");
    assert.ok(body.items.length > 0);
    assert.ok(
      body.items.every((i: Record<string, unknown>) => !("data" in i) && i.kind === "PartialObjectMetadata"),
    );
    assert.ok(!r.body.includes('dockerconfigjson":'), "no secret data in the response");
  });

  it("denies a forbidden kind per token with Kubernetes' exact 403", async () => {
    const token = sim.addToken("prod-eu-1", {
      user: "system:serviceaccount:pullsight:no-secrets",
      forbid: ["secrets"],
    });
    const r = await get(sim, "prod-eu-1", "/api/v1/secrets", {}, token);
    assert.equal(r.status, 403);
    const s = JSON.parse(r.body);
    assert.equal(s.reason, "Forbidden");
    assert.equal(
      s.message,
      'secrets is forbidden: User "system:serviceaccount:pullsight:no-secrets" cannot list resource "secrets" in API group "" at the cluster scope',
    );
    const ns = await get(sim, "prod-eu-1", "/api/v1/namespaces/kube-system/secrets", {}, token);
    assert.match(JSON.parse(ns.body).message, /in the namespace "kube-system"$/);
    assert.equal((await get(sim, "prod-eu-1", "/api/v1/pods?limit=1", {}, token)).status, 200);
  });

  it("injects faults: unreachable, slow, 5xx, malformed JSON", async () => {
    const { core } = client(sim, "prod-us-1");
    await sim.setFaults("prod-us-1", { unreachable: true });
    await assert.rejects(core.listNode({}), (e: unknown) =>
      String((e as { cause?: { code?: string } }).cause?.code ?? e).includes("ECONNREFUSED"),
    );
    await sim.clearFaults("prod-us-1");
    assert.ok((await core.listNode({})).items.length > 0, "back after the fault clears, on the same port");
    await sim.setFaults("prod-us-1", { latencyMs: 300 });
    const t0 = performance.now();
    await core.listNamespace({});
    assert.ok(performance.now() - t0 >= 290);
    await sim.setFaults("prod-us-1", { latencyMs: 0, errorResources: { nodes: 503 } });
    await assert.rejects(core.listNode({}), (e: unknown) => e instanceof k8s.ApiException && e.code === 503);
    await sim.setFaults("prod-us-1", { errorResources: {}, malformedResources: ["pods"] });
    await assert.rejects(core.listPodForAllNamespaces({}));
    await sim.clearFaults("prod-us-1");
  });

  it("the clock moves the fleet: events expire after an hour, truth follows", async () => {
    const c = sim.cluster("prod-eu-1");
    const before = c.sim.truth();
    sim.advanceBy(3 * 60 * 60_000);
    const later = c.sim.truth();
    assert.ok(later.events.emitted > before.events.emitted);
    const oldest = Math.min(
      ...c.sim.store
        .collection("events")
        .list()
        .map((e) => Date.parse(String(e.lastTimestamp))),
    );
    assert.ok(oldest > c.sim.now - 60 * 60_000, "no live event older than the TTL");
  });

  it("control API: truth, events, clock, faults, tokens", async () => {
    const control = await startControlServer(sim);
    const json = async <T>(r: Promise<Response>) => (await (await r).json()) as T;
    try {
      const root = await json<{ clusters: unknown[] }>(fetch(control.url));
      assert.equal(root.clusters.length, 2);
      const truth = await json<{ objects: { pods: number } }>(
        fetch(`${control.url}/clusters/prod-eu-1/truth`),
      );
      assert.equal(truth.objects.pods, sim.cluster("prod-eu-1").sim.truth().objects.pods);
      const advanced = await json<{ now: string }>(
        fetch(`${control.url}/clock/advance`, { method: "POST", body: JSON.stringify({ minutes: 10 }) }),
      );
      assert.equal(advanced.now, new Date(sim.now).toISOString());
      const bad = await fetch(`${control.url}/clock/advance`, {
        method: "POST",
        body: JSON.stringify({ minutes: -1 }),
      });
      assert.equal(bad.status, 400);
      const events = await json<{ count: number; events: unknown[] }>(
        fetch(`${control.url}/clusters/prod-eu-1/events`),
      );
      assert.equal(events.count, events.events.length);
      const tok = await json<{ token: string }>(
        fetch(`${control.url}/clusters/prod-eu-1/tokens`, {
          method: "POST",
          body: JSON.stringify({ forbid: ["nodes"] }),
        }),
      );
      assert.equal((await get(sim, "prod-eu-1", "/api/v1/nodes", {}, tok.token)).status, 403);
      const load = await json<{ emitted: number }>(
        fetch(`${control.url}/clusters/prod-eu-1/load`, {
          method: "POST",
          body: JSON.stringify({ events: 100 }),
        }),
      );
      assert.equal(load.emitted, 100);
    } finally {
      await control.close();
    }
  });

  it("kubectl reads the simulated cluster exactly as the truth says", async (t) => {
    if (!existsSync(KUBECTL)) {
      t.skip(`kubectl is not installed at ${KUBECTL}: the kubectl compatibility check did not run`);
      return;
    }
    const dir = mkdtempSync(path.join(tmpdir(), "sim-kubectl-"));
    const kubeconfig = path.join(dir, "config");
    writeFileSync(kubeconfig, sim.kubeconfig());
    const kubectl = async (...args: string[]) =>
      JSON.parse(
        (
          await run(KUBECTL, ["--kubeconfig", kubeconfig, "--context", "prod-eu-1", ...args, "-o", "json"], {
            maxBuffer: 1 << 28,
          })
        ).stdout,
      );
    const c = sim.cluster("prod-eu-1").sim;
    const pods = await kubectl("get", "pods", "-A");
    assert.deepEqual(
      pods.items
        .map(
          (p: { metadata: { namespace: string; name: string } }) =>
            `${p.metadata.namespace}/${p.metadata.name}`,
        )
        .sort(),
      c.store
        .collection("/pods")
        .list()
        .map((p) => `${p.metadata.namespace}/${p.metadata.name}`)
        .sort(),
    );
    const truth = c.truth();
    assert.equal((await kubectl("get", "events", "-A")).items.length, truth.events.live);
    assert.equal((await kubectl("get", "deployments", "-A")).items.length, truth.objects.deployments);
    assert.equal((await kubectl("get", "nodes")).items.length, truth.objects.nodes);
    assert.equal((await kubectl("get", "secrets", "-A")).items.length, truth.objects.secrets);
    // The human-readable table works too.
    const table = await run(KUBECTL, ["--kubeconfig", kubeconfig, "--context", "prod-eu-1", "get", "nodes"]);
    assert.match(table.stdout, /^NAME\s+CREATED AT/);
  });
});
