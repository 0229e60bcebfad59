// A snapshot whose unchanged workloads stand on stored rows that are not what its collector wrote.
/**
 * Thrown (and the snapshot rolled back) when unchanged workloads do not match what is stored: the
 * snapshot they refer to is no longer the cluster's latest, or a row they stand on is missing.
 * The caller builds those workloads again and writes the snapshot in full.
 */
export class StaleSnapshotBaseError extends Error {
  constructor(message: string) {
    super(`${message}; unchanged workloads must be built again`);
    this.name = "StaleSnapshotBaseError";
  }
}
