// The opt-in that lets the prober ask each registry with the credentials a pull would carry: the
// pull Secrets the workloads of each reference name (pod and ServiceAccount), read by name from
// their clusters (`get secrets`), held in memory for one round and never stored or logged. Only
// Secrets that stored snapshots name are read, one request each; a Secret that cannot be read is
// counted by cause and the reference is asked with what else is held.
import { probeTarget, pullSecretCredentials, type RegistryCredentials } from "@pullsight/core";
import type { ImagePullSecretRef } from "@pullsight/db";
import type { Logger } from "@pullsight/observe";
import { type ClusterClient, RequestFailure } from "../k8s/client.ts";
import type { CredentialCandidate } from "./oci-client.ts";

/** How reading one cluster's pull Secrets went, by outcome. */
export interface PullSecretReads {
  cluster: string;
  /** Read and holding credentials for at least one registry. */
  read: number;
  /** Not of a pull secret type, or unreadable content (the kubelet ignores them too). */
  notPullSecret: number;
  missing: number;
  forbidden: number;
  failed: number;
  /** The prober has no access to the cluster at all (not among its kubeconfig contexts). */
  unreachable: number;
}

type Outcome = Exclude<keyof PullSecretReads, "cluster">;

/** Secrets read at once per cluster. */
const PARALLEL = 8;

/** The credential candidates per image, in the order the workloads name their Secrets. */
export async function pullSecretCandidates(
  clients: readonly ClusterClient[],
  refs: readonly ImagePullSecretRef[],
  log?: Logger,
): Promise<{ candidates: Map<string, CredentialCandidate[]>; reads: PullSecretReads[] }> {
  const byName = new Map(clients.map((c) => [c.name, c]));
  const wanted = new Map<string, Set<string>>();
  for (const r of refs)
    wanted.set(r.cluster, (wanted.get(r.cluster) ?? new Set()).add(`${r.namespace}/${r.secret}`));
  const held = new Map<string, Map<string, RegistryCredentials>>();
  const reads = await Promise.all(
    [...wanted].map(async ([cluster, secrets]) => {
      const counts: PullSecretReads = {
        cluster,
        read: 0,
        notPullSecret: 0,
        missing: 0,
        forbidden: 0,
        failed: 0,
        unreachable: 0,
      };
      const client = byName.get(cluster);
      if (!client) {
        counts.unreachable = secrets.size;
        return counts;
      }
      const queue = [...secrets];
      const worker = async () => {
        for (let key = queue.shift(); key; key = queue.shift()) {
          const { outcome, credentials } = await readSecret(client, key);
          counts[outcome]++;
          if (credentials) held.set(`${cluster}/${key}`, credentials);
        }
      };
      await Promise.all(Array.from({ length: PARALLEL }, worker));
      if (counts.read < secrets.size) log?.warn("pull secrets not read", { ...counts });
      return counts;
    }),
  );
  return { candidates: candidatesOf(refs, held), reads };
}

async function readSecret(
  client: ClusterClient,
  key: string,
): Promise<{ outcome: Outcome; credentials?: Map<string, RegistryCredentials> }> {
  const [namespace = "", name = ""] = key.split("/");
  try {
    const secret = await client.getJson<unknown>(
      `/api/v1/namespaces/${encodeURIComponent(namespace)}/secrets/${encodeURIComponent(name)}`,
      { timeoutMs: 10_000 },
    );
    const credentials = pullSecretCredentials(secret);
    return credentials?.size ? { outcome: "read", credentials } : { outcome: "notPullSecret" };
  } catch (error) {
    const status = error instanceof RequestFailure ? error.status : null;
    return { outcome: status === 404 ? "missing" : status === 403 ? "forbidden" : "failed" };
  }
}

function candidatesOf(
  refs: readonly ImagePullSecretRef[],
  held: ReadonlyMap<string, ReadonlyMap<string, RegistryCredentials>>,
): Map<string, CredentialCandidate[]> {
  const out = new Map<string, CredentialCandidate[]>();
  for (const r of refs) {
    const registry = probeTarget(r.image)?.registry;
    const credentials = registry
      ? held.get(`${r.cluster}/${r.namespace}/${r.secret}`)?.get(registry)
      : undefined;
    if (!credentials) continue;
    const list = out.get(r.image) ?? [];
    // The same credentials under many namespaces are asked once.
    if (
      !list.some(
        (c) =>
          c.credentials.username === credentials.username && c.credentials.password === credentials.password,
      )
    )
      list.push({ credentials, source: `Secret ${r.namespace}/${r.secret} on ${r.cluster}` });
    out.set(r.image, list);
  }
  return out;
}
