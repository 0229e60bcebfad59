// What every step of a snapshot write shares: the open transaction, the cluster and snapshot rows,
// the snapshot's time and input, and (after the workload step) which stored workload each input is.
import type pg from "pg";
import type { SnapshotInput, WorkloadInput } from "../snapshot.ts";

export interface StepContext {
  c: pg.ClientBase;
  clusterId: number;
  snapshotId: string;
  now: Date;
  input: SnapshotInput;
}

/** The stored workloads this snapshot maps to, written by the workload step. */
export interface WorkloadIndex {
  idOf(w: WorkloadInput): string | undefined;
  /** Workload ids this snapshot saw. */
  seen: ReadonlySet<string>;
  /** Workload ids this snapshot marked deleted. */
  gone: ReadonlySet<string>;
  /** Workload ids unchanged since the snapshot the input is based on: their stored rows stand. */
  unchanged: ReadonlySet<string>;
}

export const workloadKey = (namespace: string, kind: string, name: string) =>
  `${namespace}\u0000${kind}\u0000${name}`;

/**
 * SQL: the row's workload (`column`) is not among the unchanged ones, given as the bigint[]
 * parameter `param`. A hash anti-join: the unchanged are usually nearly all of a cluster.
 */
export const notUnchanged = (column: string, param: string) =>
  `NOT EXISTS (SELECT 1 FROM unnest(${param}::bigint[]) AS u(id) WHERE u.id = ${column})`;
