// The kinds the simulator serves: one table entry per resource, not a branch per kind.
export interface ResourceDef {
  group: string; // "" for the core group
  version: string;
  resource: string; // plural
  kind: string;
  singular: string;
  namespaced: boolean;
  shortNames?: string[];
}

export const RESOURCES: readonly ResourceDef[] = [
  {
    group: "",
    version: "v1",
    resource: "namespaces",
    kind: "Namespace",
    singular: "namespace",
    namespaced: false,
    shortNames: ["ns"],
  },
  {
    group: "",
    version: "v1",
    resource: "nodes",
    kind: "Node",
    singular: "node",
    namespaced: false,
    shortNames: ["no"],
  },
  {
    group: "",
    version: "v1",
    resource: "pods",
    kind: "Pod",
    singular: "pod",
    namespaced: true,
    shortNames: ["po"],
  },
  {
    group: "",
    version: "v1",
    resource: "events",
    kind: "Event",
    singular: "event",
    namespaced: true,
    shortNames: ["ev"],
  },
  {
    group: "",
    version: "v1",
    resource: "serviceaccounts",
    kind: "ServiceAccount",
    singular: "serviceaccount",
    namespaced: true,
    shortNames: ["sa"],
  },
  { group: "", version: "v1", resource: "secrets", kind: "Secret", singular: "secret", namespaced: true },
  {
    group: "apps",
    version: "v1",
    resource: "deployments",
    kind: "Deployment",
    singular: "deployment",
    namespaced: true,
    shortNames: ["deploy"],
  },
  {
    group: "apps",
    version: "v1",
    resource: "replicasets",
    kind: "ReplicaSet",
    singular: "replicaset",
    namespaced: true,
    shortNames: ["rs"],
  },
  {
    group: "apps",
    version: "v1",
    resource: "statefulsets",
    kind: "StatefulSet",
    singular: "statefulset",
    namespaced: true,
    shortNames: ["sts"],
  },
  {
    group: "apps",
    version: "v1",
    resource: "daemonsets",
    kind: "DaemonSet",
    singular: "daemonset",
    namespaced: true,
    shortNames: ["ds"],
  },
  { group: "batch", version: "v1", resource: "jobs", kind: "Job", singular: "job", namespaced: true },
  {
    group: "batch",
    version: "v1",
    resource: "cronjobs",
    kind: "CronJob",
    singular: "cronjob",
    namespaced: true,
    shortNames: ["cj"],
  },
  // events.k8s.io/v1 serves the same events as core/v1, in its own shape.
  {
    group: "events.k8s.io",
    version: "v1",
    resource: "events",
    kind: "Event",
    singular: "event",
    namespaced: true,
    shortNames: ["ev"],
  },
];

export const groupVersion = (r: Pick<ResourceDef, "group" | "version">) =>
  r.group ? `${r.group}/${r.version}` : r.version;

/** Key of the stored collection: core events and events.k8s.io events share one store. */
export const storeKey = (r: ResourceDef) => (r.resource === "events" ? "events" : `${r.group}/${r.resource}`);

export function findResource(group: string, version: string, resource: string): ResourceDef | undefined {
  return RESOURCES.find((r) => r.group === group && r.version === version && r.resource === resource);
}
