// The kinds a snapshot reads: a list of entries, not a branch per kind.
import { projectObject } from "./project.ts";

export interface KindDef {
  key: KindKey;
  /** All-namespaces list path. */
  path: string;
  /** Read as PartialObjectMetadataList: never the object's data (Secrets). */
  metadataOnly?: boolean;
  /** What is kept of each item while paging (the rest of the page is dropped with it). */
  project?: <T>(o: T) => T;
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

const project = projectObject;
export const KINDS: readonly KindDef[] = [
  { key: "namespaces", path: "/api/v1/namespaces", project },
  { key: "nodes", path: "/api/v1/nodes", project },
  { key: "pods", path: "/api/v1/pods", project },
  { key: "serviceaccounts", path: "/api/v1/serviceaccounts", project },
  { key: "secrets", path: "/api/v1/secrets", metadataOnly: true, project },
  { key: "deployments", path: "/apis/apps/v1/deployments", project },
  { key: "replicasets", path: "/apis/apps/v1/replicasets", project },
  { key: "statefulsets", path: "/apis/apps/v1/statefulsets", project },
  { key: "daemonsets", path: "/apis/apps/v1/daemonsets", project },
  { key: "jobs", path: "/apis/batch/v1/jobs", project },
  { key: "cronjobs", path: "/apis/batch/v1/cronjobs", project },
];

export const METADATA_LIST = "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1";
