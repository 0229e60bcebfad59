// Whether a node's kubelet checks a pod's credentials before letting it start from an image the
// node already holds (KEP-2535, the KubeletEnsureSecretPulledImages gate: alpha in 1.33, beta and
// on by default from 1.35). With the gate on, imagePullCredentialsVerificationPolicy says which
// cached images need the pod to present credentials that pulled them:
//   NeverVerify                  none (as before the gate);
//   NeverVerifyPreloadedImages   those the kubelet pulled itself (the default): an image the node
//                                held before the gate was enabled, or got another way, counts as
//                                pre-loaded and is served to any pod;
//   NeverVerifyAllowlistedImages every image but those on preloadedImagesVerificationAllowlist;
//   AlwaysVerify                 every image.
// The kubelet configuration comes from configz where that opt-in permission is granted; without
// it, the version's default is assumed (and said to be).
import { atLeastMinor } from "./kube-version.ts";

export const ENSURE_SECRET_PULLED_IMAGES_GATE = "KubeletEnsureSecretPulledImages";
/** The first minor version whose kubelets have the gate on by default. */
export const ENSURE_SECRET_PULLED_IMAGES_MINOR = 35;

export const CREDENTIAL_VERIFICATION_POLICIES = [
  "NeverVerify",
  "NeverVerifyPreloadedImages",
  "NeverVerifyAllowlistedImages",
  "AlwaysVerify",
] as const;
export type CredentialVerificationPolicy = (typeof CREDENTIAL_VERIFICATION_POLICIES)[number];

/** What a node checks before serving a cached private image to a pod. */
export type CredentialVerification =
  /** Nothing: any pod on the node can start from any image on it. */
  | "never"
  /** Images the kubelet pulled since the gate was on; pre-loaded (or allowlisted) ones go unchecked. */
  | "pulled"
  /** Every image. */
  | "always";

export interface NodeCredentialVerification {
  verification: CredentialVerification;
  /** Whether the gate is on, and the policy in force (null while the gate is off). */
  gate: boolean;
  policy: CredentialVerificationPolicy | null;
  /**
   * Read from the node's configz; the gate read from its kubelet metrics
   * (kubernetes_feature_enabled) with the policy's default assumed; or assumed from the version.
   */
  source: "configz" | "metrics" | "version-default";
}

const isObj = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

const VERIFICATION: Record<CredentialVerificationPolicy, CredentialVerification> = {
  NeverVerify: "never",
  NeverVerifyPreloadedImages: "pulled",
  NeverVerifyAllowlistedImages: "pulled",
  AlwaysVerify: "always",
};

/**
 * A node's credential verification, from its kubelet configuration (configz) when read, else the
 * gate as its kubelet metrics report it, else the version's default. A policy the kubelet would
 * reject is read as no verification.
 */
export function nodeCredentialVerification(
  config: Record<string, unknown> | null | undefined,
  kubernetesVersion: string | null | undefined,
  gateFromMetrics: boolean | null = null,
): NodeCredentialVerification {
  const gates = isObj(config?.featureGates) ? config.featureGates : {};
  const explicit = config ? gates[ENSURE_SECRET_PULLED_IMAGES_GATE] : (gateFromMetrics ?? undefined);
  // Off by default before 1.35; an unknown version is assumed current.
  const gate =
    typeof explicit === "boolean"
      ? explicit
      : atLeastMinor(kubernetesVersion, ENSURE_SECRET_PULLED_IMAGES_MINOR);
  const source = config ? "configz" : typeof gateFromMetrics === "boolean" ? "metrics" : "version-default";
  if (!gate) return { verification: "never", gate, policy: null, source };
  const written = config?.imagePullCredentialsVerificationPolicy;
  const policy = (CREDENTIAL_VERIFICATION_POLICIES as readonly unknown[]).includes(written)
    ? (written as CredentialVerificationPolicy)
    : written === undefined || written === ""
      ? "NeverVerifyPreloadedImages"
      : null;
  return { verification: policy ? VERIFICATION[policy] : "never", gate, policy, source };
}

/** How many of a workload's shared nodes check credentials, and how Pullsight knows. */
export interface SharedNodeVerification {
  nodes: number;
  always: number;
  pulled: number;
  never: number;
  /** Nodes whose configuration was assumed from the version (configz not read). */
  assumed: number;
  /** Nodes whose gate was read from kubelet metrics, their policy assumed to be the default. */
  fromMetrics: number;
}

export function countVerification(nodes: readonly NodeCredentialVerification[]): SharedNodeVerification {
  const out: SharedNodeVerification = {
    nodes: nodes.length,
    always: 0,
    pulled: 0,
    never: 0,
    assumed: 0,
    fromMetrics: 0,
  };
  for (const n of nodes) {
    out[n.verification] += 1;
    if (n.source === "version-default") out.assumed += 1;
    if (n.source === "metrics") out.fromMetrics += 1;
  }
  return out;
}
