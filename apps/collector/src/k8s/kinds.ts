// The kinds a snapshot reads: a list of entries, not a branch per kind.
export interface KindDef {
  key: KindKey;
  /** All-namespaces list path. */
  path: string;
  /** Read as PartialObjectMetadataList: never the object's data (Secrets). */
  metadataOnly?: boolean;
  /** Annotations are kept (a namespace's may name its owning team). */
  annotations?: boolean;
}

export type KindKey =
  | "namespaces"
  | "nodes"
  | "pods"
  | "serviceaccounts"
  | "secrets"
  | "deployments"
  | "replicasets"
  | "statefulsets"
  | "daemonsets"
  | "jobs"
  | "cronjobs";

export const KINDS: readonly KindDef[] = [
  { key: "namespaces", path: "/api/v1/namespaces", annotations: true },
  { key: "nodes", path: "/api/v1/nodes" },
  { key: "pods", path: "/api/v1/pods" },
  // Annotations: a ServiceAccount-token credential provider may require some (KEP-4412).
  { key: "serviceaccounts", path: "/api/v1/serviceaccounts", annotations: true },
  { key: "secrets", path: "/api/v1/secrets", metadataOnly: true },
  { key: "deployments", path: "/apis/apps/v1/deployments" },
  { key: "replicasets", path: "/apis/apps/v1/replicasets" },
  { key: "statefulsets", path: "/apis/apps/v1/statefulsets" },
  { key: "daemonsets", path: "/apis/apps/v1/daemonsets" },
  { key: "jobs", path: "/apis/batch/v1/jobs" },
  { key: "cronjobs", path: "/apis/batch/v1/cronjobs" },
];

export const METADATA_LIST = "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1";
/** A watch's events carry single objects: PartialObjectMetadata, never a Secret's data. */
export const METADATA_ITEM = "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1";
