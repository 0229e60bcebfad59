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
