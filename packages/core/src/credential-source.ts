// Where an image pull's credentials come from, in the order the kubelet looks for them: the pull
// secrets the pod carries (its own, and its ServiceAccount's, which admission copies onto pods that
// list none), then kubelet credential provider plugins configured for the registry on the nodes —
// those that fetch credentials as the node (ECR, GAR, ACR) and, from Kubernetes 1.34, those that
// exchange the pod's ServiceAccount token (KEP-4412: alpha in 1.33, beta and on by default in
// 1.34) — and otherwise none: the registry is asked anonymously. The plugins are configured in a
// file on each node that the API does not show, so the registries they serve are declared in the
// profile's settings (nodeCredentialRegistries, serviceAccountTokenRegistries), and so are the
// ServiceAccount annotations a token provider requires (serviceAccountTokenAnnotations).
import { atLeastMinor } from "./kube-version.ts";
import { registryMatches } from "./registry.ts";
import type { PullSecretRef } from "./rules/types.ts";

export const PULL_CREDENTIAL_SOURCES = [
  "pod-secret",
  "service-account-secret",
  "node-provider",
  "service-account-token",
  "none",
] as const;
export type PullCredentialSource = (typeof PULL_CREDENTIAL_SOURCES)[number];

/** How each source is named to people. */
export const PULL_CREDENTIAL_SOURCE_WORDS: Record<PullCredentialSource, string> = {
  "pod-secret": "pull secret on the pod",
  "service-account-secret": "pull secret of the ServiceAccount",
  "node-provider": "kubelet credential provider (node)",
  "service-account-token": "kubelet credential provider (ServiceAccount token)",
  none: "none: pulled anonymously",
};

/** The same, short enough for a table cell. */
export const PULL_CREDENTIAL_SOURCE_SHORT: Record<PullCredentialSource, string> = {
  "pod-secret": "pod secret",
  "service-account-secret": "ServiceAccount secret",
  "node-provider": "node provider",
  "service-account-token": "ServiceAccount token",
  none: "none",
};

/** The first minor version whose kubelets run ServiceAccount-token credential providers by default. */
export const SERVICE_ACCOUNT_TOKEN_PROVIDER_MINOR = 34;

export interface CredentialSettings {
  nodeCredentialRegistries: readonly string[];
  serviceAccountTokenRegistries: readonly string[];
  serviceAccountTokenAnnotations: readonly string[];
}

/**
 * The annotation keys a token provider requires that the ServiceAccount lacks. The kubelet does
 * not call the provider for such a pod (its token attributes cannot be built). A ServiceAccount
 * that was not read (null) is assumed to carry them.
 */
export function missingTokenAnnotations(
  settings: Pick<CredentialSettings, "serviceAccountTokenAnnotations">,
  annotations: readonly string[] | null | undefined,
): string[] {
  if (!annotations) return [];
  return settings.serviceAccountTokenAnnotations.filter((k) => !annotations.includes(k));
}

/** The sources a container's pulls can use, in the kubelet's order; ["none"] when there is none. */
export function pullCredentialSourcesOf(
  pullSecrets: readonly Pick<PullSecretRef, "source">[],
  reference: { domain: string; path: string } | null,
  settings: CredentialSettings,
  kubernetesVersion: string | null | undefined,
  /** The ServiceAccount's annotation keys; null when it was not read. */
  serviceAccountAnnotations: readonly string[] | null = null,
): PullCredentialSource[] {
  const sources: PullCredentialSource[] = [];
  // A secret named but missing is still what the pod was given (PS008 says it is missing).
  if (pullSecrets.some((s) => s.source === "pod")) sources.push("pod-secret");
  if (pullSecrets.some((s) => s.source === "serviceAccount")) sources.push("service-account-secret");
  const matches = (patterns: readonly string[]) =>
    !!reference && patterns.some((p) => registryMatches(p, reference.domain || "docker.io", reference.path));
  if (matches(settings.nodeCredentialRegistries)) sources.push("node-provider");
  if (
    tokenProvidersRun(kubernetesVersion) &&
    matches(settings.serviceAccountTokenRegistries) &&
    missingTokenAnnotations(settings, serviceAccountAnnotations).length === 0
  )
    sources.push("service-account-token");
  return sources.length ? sources : ["none"];
}

/** Whether the cluster's kubelets run ServiceAccount-token providers by default (unknown: assume so). */
export function tokenProvidersRun(kubernetesVersion: string | null | undefined): boolean {
  return atLeastMinor(kubernetesVersion, SERVICE_ACCOUNT_TOKEN_PROVIDER_MINOR);
}

/** Sources that come from a kubelet credential provider plugin rather than a secret. */
export const fromProvider = (sources: readonly PullCredentialSource[]) =>
  sources.some((s) => s === "node-provider" || s === "service-account-token");
