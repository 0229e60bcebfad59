// A cluster's Kubernetes version, as the rules that depend on it read it.

/**
 * The minor version of a gitVersion (`v1.31.4` → 31), or null when it is unknown or not 1.x: the
 * callers then assume the current behaviour.
 */
export function kubernetesMinor(gitVersion: string | null | undefined): number | null {
  const minor = Number(/^v?1\.(\d+)/.exec(gitVersion ?? "")?.[1] ?? Number.NaN);
  return Number.isFinite(minor) ? minor : null;
}

/** Whether the cluster is at least 1.`minor`; an unknown version counts as current. */
export const atLeastMinor = (gitVersion: string | null | undefined, minor: number) =>
  (kubernetesMinor(gitVersion) ?? Number.POSITIVE_INFINITY) >= minor;
