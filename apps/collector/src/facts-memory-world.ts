// Test support for the facts memory: one cluster as read, and the stored evidence about it, changed
// only through random `change`s, each as the API server or the stored evidence would change it
// (every change to an object gives it a new resourceVersion).
import {
  DEFAULT_PROFILES,
  type ProfilesFile,
  type PullStats,
  type RegistryAnswerFacts,
  type WaiverScope,
} from "@pullsight/core";
import { podContainerKey } from "@pullsight/db";
import fc from "fast-check";
import type { PullStatsInput } from "./container-record.ts";
import { buildClusterFacts } from "./facts.ts";
import type { FactsMemory } from "./facts-memory.ts";
import { KINDS } from "./k8s/kinds.ts";
import type { RawObject, RawSnapshot } from "./k8s/reader.ts";

type Obj = Record<string, unknown>;
type Kind = keyof RawSnapshot["objects"];

/** One cluster and what stored evidence says of it, changed only through `change` below. */
export interface World {
  raw: RawSnapshot;
  stats: {
    byRegistry: Map<string, PullStats>;
    byImage: Map<string, PullStats>;
    failureStarts: NonNullable<PullStatsInput["failureStarts"]>;
    registryAnswers: Map<string, RegistryAnswerFacts>;
    kubeletWindow: { since: Date; growth: Map<string, Record<string, number>> };
  };
  waivers: WaiverScope[];
  rv: number;
}

export const clone = <T>(v: T): T => structuredClone(v);
const WATCHED_KINDS = KINDS.map((k) => k.key);
const at = <T>(list: readonly T[], i: number): T | undefined =>
  list.length ? list[i % list.length] : undefined;

/** Replaces one object of a list with `edit`'s copy under a new resourceVersion. */
function edit(w: World, kind: Kind, i: number, f: (o: Obj & RawObject) => void) {
  const list = w.raw.objects[kind] ?? [];
  const o = at(list, i);
  if (!o) return;
  const copy = clone(o);
  f(copy);
  w.rv++;
  copy.metadata.resourceVersion = String(w.rv);
  w.raw.objects[kind] = list.map((x) => (x === o ? copy : x));
}

const spec = (o: Obj) => (o.spec ?? {}) as Obj;
const templateSpec = (o: Obj) => ((spec(o).template as Obj | undefined)?.spec ?? {}) as Obj;
const firstContainer = (s: Obj) => ((s.containers as Obj[] | undefined) ?? [])[0];
const firstStatus = (o: Obj) =>
  (((o.status as Obj | undefined)?.containerStatuses as Obj[] | undefined) ?? [])[0];
const images = (w: World) => [
  ...new Set(
    (w.raw.objects.pods ?? []).flatMap((p) =>
      ((spec(p).containers as Obj[]) ?? []).map((c) => String(c.image)),
    ),
  ),
];
const stats = (n: number): PullStats => ({
  pulls: 10 + n,
  p50Seconds: n,
  p95Seconds: 4 * n,
  failures: n % 7,
  failuresByCause: n % 2 ? { network: n % 7 } : {},
});

export const change = fc.oneof(
  fc.record({
    t: fc.constant("podWaiting"),
    i: fc.nat(),
    reason: fc.constantFrom("ErrImagePull", "ImagePullBackOff"),
  }),
  fc.record({ t: fc.constant("podDigest"), i: fc.nat(), d: fc.constantFrom("a", "b", "c") }),
  fc.record({ t: fc.constant("podNode"), i: fc.nat(), n: fc.nat() }),
  fc.record({ t: fc.constant("rollout"), i: fc.nat(), tag: fc.constantFrom("1.0", "2.0", "latest") }),
  fc.record({ t: fc.constant("policy"), i: fc.nat(), p: fc.constantFrom("Always", "IfNotPresent", "Never") }),
  fc.record({ t: fc.constant("secretGone"), i: fc.nat() }),
  fc.record({
    t: fc.constant("saSecrets"),
    i: fc.nat(),
    name: fc.constantFrom("regcred", "missing", "ghcr"),
  }),
  fc.record({ t: fc.constant("saRole"), i: fc.nat(), role: fc.boolean() }),
  fc.record({ t: fc.constant("moveNamespace"), i: fc.nat(), n: fc.nat() }),
  fc.record({ t: fc.constant("isolateOthers"), i: fc.nat() }),
  fc.record({ t: fc.constant("nsDev"), i: fc.nat(), dev: fc.boolean() }),
  fc.record({ t: fc.constant("imageStats"), i: fc.nat(), n: fc.nat({ max: 60 }) }),
  fc.record({ t: fc.constant("registryStats"), i: fc.nat(), n: fc.nat({ max: 60 }) }),
  fc.record({
    t: fc.constant("answer"),
    i: fc.nat(),
    outcome: fc.constantFrom("resolved", "not-found", "unauthorized"),
  }),
  fc.record({ t: fc.constant("failureStart"), i: fc.nat(), minutes: fc.nat({ max: 600 }) }),
  fc.record({ t: fc.constant("kubelet"), n: fc.nat(), pulled: fc.nat({ max: 50 }) }),
  fc.record({ t: fc.constant("waiver"), rule: fc.constantFrom("PS001", "PS002", "PS003", "PS005") }),
  fc.record({ t: fc.constant("touch"), i: fc.nat() }),
);
export type Change = typeof change extends fc.Arbitrary<infer C> ? C : never;

export function apply(w: World, c: Change) {
  const imageAt = (i: number) => at(images(w), i) ?? "";
  switch (c.t) {
    case "podWaiting":
      return edit(w, "pods", c.i, (p) => {
        const s = firstStatus(p);
        if (s) s.state = { waiting: { reason: c.reason, message: "pull failed" } };
      });
    case "podDigest":
      return edit(w, "pods", c.i, (p) => {
        const s = firstStatus(p);
        if (s) s.imageID = `${String(s.image).split(":")[0]}@sha256:${c.d.repeat(64)}`;
      });
    case "podNode":
      return edit(w, "pods", c.i, (p) => {
        spec(p).nodeName = at(w.raw.objects.nodes ?? [], c.n)?.metadata.name;
      });
    case "rollout":
    case "policy":
      return edit(w, "deployments", c.i, (d) => {
        const container = firstContainer(templateSpec(d));
        if (!container) return;
        if (c.t === "rollout") container.image = `${String(container.image).split(":")[0]}:${c.tag}`;
        else container.imagePullPolicy = c.p;
      });
    case "secretGone": {
      const secrets = w.raw.objects.secrets ?? [];
      w.raw.objects.secrets = secrets.filter((_, j) => j !== c.i % Math.max(1, secrets.length));
      return;
    }
    case "saSecrets":
      return edit(w, "serviceaccounts", c.i, (sa) => {
        sa.imagePullSecrets = [{ name: c.name }];
      });
    case "saRole":
      return edit(w, "serviceaccounts", c.i, (sa) => {
        sa.metadata.annotations = c.role ? { "eks.amazonaws.com/role-arn": "arn:aws:iam::1:role/pull" } : {};
      });
    case "moveNamespace": {
      // Every pod of one namespace onto one node: other namespaces' nodes may stop being shared.
      const ns = at(w.raw.objects.namespaces ?? [], c.i)?.metadata.name;
      const node = at(w.raw.objects.nodes ?? [], c.n)?.metadata.name;
      (w.raw.objects.pods ?? []).forEach((p, j) => {
        if (p.metadata.namespace === ns)
          edit(w, "pods", j, (q) => {
            spec(q).nodeName = node;
          });
      });
      return;
    }
    case "isolateOthers": {
      // Every other namespace onto nodes of its own: this one's pods, unchanged, share no node now.
      const ns = at(w.raw.objects.namespaces ?? [], c.i)?.metadata.name;
      (w.raw.objects.pods ?? []).forEach((p, j) => {
        if (p.metadata.namespace !== ns)
          edit(w, "pods", j, (q) => {
            spec(q).nodeName = `dedicated-${q.metadata.namespace}`;
          });
      });
      return;
    }
    case "nsDev":
      return edit(w, "namespaces", c.i, (ns) => {
        ns.metadata.labels = c.dev ? { env: "dev" } : {};
      });
    case "imageStats":
      w.stats.byImage.set(imageAt(c.i), stats(c.n));
      return;
    case "registryStats":
      w.stats.byRegistry.set(
        at(["docker.io", "ghcr.io", "quay.io", "registry.k8s.io"], c.i) ?? "",
        stats(c.n),
      );
      return;
    case "answer":
      w.stats.registryAnswers.set(imageAt(c.i), {
        outcome: c.outcome,
        httpStatus: c.outcome === "resolved" ? 200 : 404,
        digest: c.outcome === "resolved" ? `sha256:${"d".repeat(64)}` : null,
        detail: null,
        credentialed: false,
        probedAt: "2026-01-01T00:00:00Z",
        since: "2025-12-31T00:00:00Z",
      });
      return;
    case "failureStart": {
      // A failure start matters to a pod waiting on a pull; the pod itself need not change.
      const waiting = (w.raw.objects.pods ?? []).filter(
        (p) => (firstStatus(p)?.state as Obj | undefined)?.waiting,
      );
      const p = at(waiting, c.i) ?? at(w.raw.objects.pods ?? [], c.i);
      const container = p && firstContainer(spec(p));
      if (!p || !container) return;
      const first = new Date(Date.UTC(2026, 0, 1) - c.minutes * 60_000);
      const key = podContainerKey(p.metadata.namespace ?? "", p.metadata.name, String(container.name));
      w.stats.failureStarts = new Map([...w.stats.failureStarts, [key, { first, cause: null, last: first }]]);
      return;
    }
    case "kubelet": {
      const node = at(w.raw.objects.nodes ?? [], c.n)?.metadata.name ?? "";
      w.stats.kubeletWindow.growth.set(node, {
        "ensure/Always/pulled": c.pulled,
        "ensure/IfNotPresent/cached": 3,
      });
      return;
    }
    case "waiver":
      w.waivers = [
        ...w.waivers,
        { ruleId: c.rule, namespace: at(w.raw.objects.namespaces ?? [], w.rv)?.metadata.name ?? null },
      ];
      return;
    case "touch":
      return edit(w, "pods", c.i, () => {});
  }
}

/** Token providers for the simulator's registries that need a ServiceAccount annotation (Kubernetes 1.34+). */
export const PROFILES = {
  ...DEFAULT_PROFILES,
  profiles: [
    {
      name: "production",
      settings: {
        serviceAccountTokenRegistries: ["ghcr.io", "quay.io", "docker.io", "*.amazonaws.com"],
        serviceAccountTokenAnnotations: ["eks.amazonaws.com/role-arn"],
      },
    },
  ],
} as ProfilesFile;

/** The cluster as read, before any change. */
export function newWorld(base: RawSnapshot): World {
  return {
    raw: clone(base),
    stats: {
      byRegistry: new Map(),
      byImage: new Map(),
      failureStarts: new Map(),
      registryAnswers: new Map(),
      kubeletWindow: { since: new Date(Date.UTC(2025, 11, 31)), growth: new Map() },
    },
    waivers: [],
    rv: 1_000_000,
  };
}

/**
 * The world's facts, as a snapshot builds them. Listed (the default), every object is new, as from
 * a fresh list; watched, the objects a change did not touch are the very ones of the snapshot
 * before, as lists kept by watches hand them over (k8s/mirror.ts).
 */
export function factsOf(w: World, memory?: FactsMemory, watched = false) {
  // The evidence is handed over as the collector's queries would: new every snapshot.
  const pullStats: PullStatsInput = {
    byRegistry: new Map(clone([...w.stats.byRegistry])),
    byImage: new Map(clone([...w.stats.byImage])),
    failureStarts: new Map(clone([...w.stats.failureStarts])),
    registryAnswers: new Map(clone([...w.stats.registryAnswers])),
    kubeletWindow: {
      since: w.stats.kubeletWindow.since,
      growth: new Map(clone([...w.stats.kubeletWindow.growth])),
    },
  };
  const raw: RawSnapshot = watched
    ? { ...w.raw, objects: { ...w.raw.objects }, mirrored: WATCHED_KINDS }
    : clone(w.raw);
  return buildClusterFacts(raw, PROFILES, {}, pullStats, clone(w.waivers), memory);
}
