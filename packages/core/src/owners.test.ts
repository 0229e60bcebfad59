import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { groupWorkloads, nodesSharedAcrossNamespaces, type OwnedObject } from "./owners.ts";

type Obj = OwnedObject & { spec?: unknown };
const ref = (kind: string, name: string, uid: string) => [{ kind, name, uid, controller: true }];
const obj = (ns: string, name: string, uid: string, extra: Partial<Obj["metadata"]> = {}): Obj => ({
  metadata: { namespace: ns, name, uid, ...extra },
});

/**
 * A random fleet built top-down, so that every pod's workload is known by construction (the
 * reference model): Deployments own ReplicaSets own pods, CronJobs own Jobs own pods,
 * StatefulSets own pods, a Rollout (a kind never listed) owns ReplicaSets, and bare pods own
 * themselves. Whether ReplicaSets and Jobs were read is drawn too.
 */
const fleet = fc
  .record({
    shapes: fc.array(
      fc.record({
        kind: fc.constantFrom("Deployment", "CronJob", "StatefulSet", "Rollout", "Pod"),
        ns: fc.constantFrom("a", "b"),
        children: fc.integer({ min: 1, max: 3 }),
        pods: fc.integer({ min: 0, max: 3 }),
      }),
      { maxLength: 12 },
    ),
    readReplicaSets: fc.boolean(),
    readJobs: fc.boolean(),
  })
  .map(({ shapes, readReplicaSets, readJobs }) => {
    const lists: Record<string, Obj[]> = {
      Deployment: [],
      StatefulSet: [],
      CronJob: [],
      Job: [],
      ReplicaSet: [],
    };
    const pods: Obj[] = [];
    const expected = new Map<string, string>(); // pod uid → "ns/kind/name"
    shapes.forEach((s, i) => {
      const name = `w${i}`;
      const top = `${s.ns}/${s.kind}/${name}`;
      const uid = `u${i}`;
      if (s.kind === "Pod") {
        pods.push(obj(s.ns, name, uid));
        expected.set(uid, top);
        return;
      }
      if (s.kind !== "Rollout") lists[s.kind]?.push(obj(s.ns, name, uid));
      const middle = s.kind === "CronJob" ? "Job" : s.kind === "StatefulSet" ? null : "ReplicaSet";
      for (let c = 0; c < (middle ? s.children : 1); c++) {
        let parent: { kind: string; name: string; uid: string } = { kind: s.kind, name, uid };
        if (middle) {
          const hash = `h${c}x`;
          const child = { kind: middle, name: `${name}-${hash}`, uid: `${uid}-${c}` };
          const readIt = middle === "Job" ? readJobs : readReplicaSets;
          if (readIt)
            lists[middle]?.push(
              obj(s.ns, child.name, child.uid, { ownerReferences: ref(s.kind, name, uid) }),
            );
          parent = child;
          for (let p = 0; p < s.pods; p++) {
            const podUid = `${child.uid}-p${p}`;
            pods.push(
              obj(s.ns, `${child.name}-${p}`, podUid, {
                ownerReferences: ref(middle, child.name, child.uid),
                labels: middle === "ReplicaSet" ? { "pod-template-hash": hash } : {},
              }),
            );
            // An unread Job's pods name the Job itself; an unread ReplicaSet's pods name the
            // Deployment its name and pod-template-hash imply (a Rollout's look the same: the
            // heuristic's known limit). Everything else climbs to the top.
            const unread = middle === "Job" ? !readJobs : !readReplicaSets;
            const guess = middle === "Job" ? `${s.ns}/Job/${child.name}` : `${s.ns}/Deployment/${name}`;
            expected.set(podUid, unread ? guess : top);
          }
          continue;
        }
        for (let p = 0; p < s.pods; p++) {
          const podUid = `${uid}-p${p}`;
          pods.push(obj(s.ns, `${name}-${p}`, podUid, { ownerReferences: ref(parent.kind, name, uid) }));
          expected.set(podUid, top);
        }
      }
    });
    const controllers = Object.entries(lists).map(([kind, objects]) => ({ kind, objects }));
    return { controllers, pods, expected, lists };
  });

describe("groupWorkloads", () => {
  it("puts every pod under the workload that owns it, read or not (property, against the construction)", () => {
    fc.assert(
      fc.property(fleet, ({ controllers, pods, expected }) => {
        const groups = groupWorkloads(controllers, pods);
        const actual = new Map<string, string>();
        for (const g of groups)
          for (const p of g.pods) actual.set(p.metadata.uid ?? "", `${g.namespace}/${g.kind}/${g.name}`);
        assert.deepEqual(actual, expected);
        const keys = groups.map((g) => `${g.namespace}/${g.kind}/${g.name}`);
        assert.equal(new Set(keys).size, keys.length, "one group per workload");
      }),
    );
  });

  it("makes a group of every controller nobody owns, pods or not, and none of an owned one", () => {
    fc.assert(
      fc.property(fleet, ({ controllers, pods }) => {
        const withObject = new Set(
          groupWorkloads(controllers, pods)
            .map((g) => g.obj)
            .filter((o) => o !== null),
        );
        for (const { objects } of controllers)
          for (const o of objects) assert.equal(withObject.has(o), !o.metadata.ownerReferences);
      }),
    );
  });

  it("ends owner references that form a cycle instead of looping, every pod still in one group", () => {
    // A ReplicaSet and a Deployment that claim each other, and a ReplicaSet that owns itself.
    const rs = obj("a", "web-1", "rs", { ownerReferences: ref("Deployment", "web", "d") });
    const dep = obj("a", "web", "d", { ownerReferences: ref("ReplicaSet", "web-1", "rs") });
    const self = obj("a", "solo", "s", { ownerReferences: ref("ReplicaSet", "solo", "s") });
    const pods = [
      obj("a", "web-1-x", "p1", { ownerReferences: ref("ReplicaSet", "web-1", "rs") }),
      obj("a", "solo-x", "p2", { ownerReferences: ref("ReplicaSet", "solo", "s") }),
    ];
    const controllers = [
      { kind: "Deployment", objects: [dep] },
      { kind: "ReplicaSet", objects: [rs, self] },
    ];
    const groups = groupWorkloads(controllers, pods);
    assert.deepEqual(groups.flatMap((g) => g.pods.map((p) => p.metadata.name)).sort(), ["solo-x", "web-1-x"]);
    for (const g of groups) assert.ok(g.obj, `${g.kind}/${g.name} keeps the object it was read as`);
  });
});

describe("nodesSharedAcrossNamespaces", () => {
  const pod = (ns: string, node: string, daemon = false): Obj => ({
    metadata: {
      namespace: ns,
      name: `${ns}-${node}`,
      ...(daemon ? { ownerReferences: ref("DaemonSet", "ds", "d") } : {}),
    },
    spec: { nodeName: node },
  });
  it("names nodes that run pods of two namespaces, not counting DaemonSet pods", () => {
    const shared = nodesSharedAcrossNamespaces([
      pod("a", "n1"),
      pod("b", "n1"),
      pod("a", "n2"),
      pod("b", "n2", true),
      pod("c", "n3"),
    ]);
    assert.deepEqual([...shared], ["n1"]);
  });
});
