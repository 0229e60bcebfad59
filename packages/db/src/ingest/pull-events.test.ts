import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import fc from "fast-check";
import { poolOf } from "../client.ts";
import { createTestDatabase, type TestDatabase } from "../testing.ts";
import {
  ensureCluster,
  linkPullEventsToWorkloads,
  type PullEventInput,
  upsertPullEvents,
} from "./pull-events.ts";

const AT = new Date("2026-12-04T12:00:00Z");
const PODS = ["a/web-1", "a/web-2", "b/job-1", "b/solo", "c/gone"] as const;
/** The workload each pod belongs to, where a snapshot could find it. */
const WORKLOAD_OF: Record<string, { kind: string; name: string }> = {
  "a/web-1": { kind: "Deployment", name: "web" },
  "a/web-2": { kind: "Deployment", name: "web" },
  "b/job-1": { kind: "CronJob", name: "nightly" },
  "b/solo": { kind: "Pod", name: "solo" },
  "c/gone": { kind: "Job", name: "gone" },
};

function event(uid: string, pod: string, known: boolean): PullEventInput {
  const [namespace = "", podName = ""] = pod.split("/");
  const w = WORKLOAD_OF[pod];
  return {
    uid,
    namespace,
    podName,
    containerName: "app",
    nodeName: "node-1",
    reason: "Pulled",
    image: "nginx:1.27",
    registry: "docker.io",
    alreadyPresent: false,
    pullDurationMs: 100,
    waitingDurationMs: null,
    imageSizeBytes: null,
    failureCause: null,
    message: "Successfully pulled image",
    count: 1,
    firstTimestamp: AT,
    lastTimestamp: AT,
    resourceVersion: null,
    aggregated: false,
    workloadKind: known ? (w?.kind ?? null) : null,
    workloadName: known ? (w?.name ?? null) : null,
  };
}

describe("linking pull events to workloads", () => {
  let t: TestDatabase;
  before(async () => {
    t = await createTestDatabase("link");
  });
  after(() => t.drop());

  it("links exactly the events still waiting whose pod a snapshot found, to that pod's workload (fast-check)", async () => {
    const pool = poolOf(t.db);
    let round = 0;
    await fc.assert(
      fc.asyncProperty(
        // Events: their pod, and whether the watcher already knew its workload.
        fc.array(fc.record({ pod: fc.constantFrom(...PODS), known: fc.boolean() }), { maxLength: 12 }),
        // The workloads stored, and the pods the snapshot found (some pods in none).
        fc.subarray([...new Set(Object.values(WORKLOAD_OF).map((w) => `${w.kind}/${w.name}`))]),
        fc.subarray([...PODS]),
        async (events, stored, found) => {
          const clusterId = await ensureCluster(t.db, `link-${round++}`);
          for (const w of stored) {
            const [kind, name] = w.split("/");
            const ns = Object.entries(WORKLOAD_OF)
              .find(([, v]) => `${v.kind}/${v.name}` === w)?.[0]
              .split("/")[0];
            await pool.query(
              `INSERT INTO "Workload" ("clusterId", namespace, kind, name, "firstSeenAt", "lastSeenAt") VALUES ($1, $2, $3, $4, $5, $5)`,
              [clusterId, ns, kind, name, AT],
            );
          }
          await upsertPullEvents(
            t.db,
            clusterId,
            events.map((e, i) => event(`e${i}`, e.pod, e.known)),
          );
          const before = await rows(clusterId);
          const client = await pool.connect();
          await linkPullEventsToWorkloads(
            client,
            clusterId,
            found.map((pod) => {
              const [namespace = "", name = ""] = pod.split("/");
              return { namespace, pod: name, ...(WORKLOAD_OF[pod] as { kind: string; name: string }) };
            }),
          ).finally(() => client.release());
          // The reference: an event keeps a workload it has; one waiting takes its pod's workload
          // when the snapshot found the pod and that workload is stored.
          const expected = before.map((e) => {
            const w = WORKLOAD_OF[e.pod] as { kind: string; name: string };
            const stays = e.workload !== null || !found.includes(e.pod as (typeof PODS)[number]);
            return {
              ...e,
              workload: stays || !stored.includes(`${w.kind}/${w.name}`) ? e.workload : `${w.kind}/${w.name}`,
            };
          });
          assert.deepEqual(await rows(clusterId), expected);
        },
      ),
      { numRuns: 40 },
    );

    async function rows(clusterId: number) {
      const r = await pool.query<{ uid: string; pod: string; workload: string | null }>(
        `SELECT e.uid, e.namespace || '/' || e."podName" AS pod, w.kind || '/' || w.name AS workload
         FROM "PullEvent" e LEFT JOIN "Workload" w ON w.id = e."workloadId" WHERE e."clusterId" = $1 ORDER BY e.uid`,
        [clusterId],
      );
      return r.rows;
    }
  });
});
