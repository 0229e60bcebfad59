import type { SimRepository, SimTagKind } from "./catalog.ts";
import type { Runtime, SimFailure } from "./kubelet.ts";
import type { KubeletMetrics } from "./kubelet-metrics.ts";
import type { SimTagStore } from "./registry.ts";

export interface ClusterSpec {
  name: string;
  gitVersion: string;
  pods: number;
  seed: number;
  /** Simulated time at generation (ms since epoch). */
  startTime: number;
  /** Kubernetes' event TTL. */
  eventTtlMs?: number;
  /** Chance per pod per simulated minute that it is replaced. */
  churnPerMinute?: number;
  /** Whether to follow the demo story (regression, fix, incident, moved tag). */
  story?: boolean;
  /** How many emitted events the ground truth keeps (totals are always exact). */
  maxTruthEvents?: number;
  /** The fleet's registries (one store for all clusters); default: the cluster's own. */
  tags?: SimTagStore;
  /**
   * Feature gates off by default that the cluster turns on. ImageVolumeWithDigest (alpha from
   * 1.35) reports each image volume's digest on the mounts in container status.
   */
  featureGates?: { ImageVolumeWithDigest?: boolean };
}

/** What pulls an image: a container, an init container, or an image volume (spec.volumes[].image). */
export type SimPullerType = "container" | "init" | "volume";

/** Image volumes are on by default from 1.35 (beta from 1.33 behind a gate that is off, GA in 1.36). */
export const IMAGE_VOLUMES_FROM_MINOR = 35;

export type Policy = "Always" | "IfNotPresent" | "Never";
/** How the manifest reached the API server, which decides what evidence the object carries. */
export type Writer = "client-side-apply" | "server-side-apply" | "helm";
export type WorkloadKind = "Deployment" | "StatefulSet" | "DaemonSet" | "CronJob" | "Job" | "Pod";

export interface SimContainer {
  /** The container's name; an image volume's own name (the product keys it volume/<name>). */
  name: string;
  type: SimPullerType;
  /** null for the invalid reference. */
  repo: SimRepository | null;
  tag: string;
  /** Pinned digest, when the reference carries one. */
  digest: string | null;
  /** The image string as written in the manifest. */
  image: string;
  policy: Policy;
  /** Whether the manifest sets imagePullPolicy. */
  policyInManifest: boolean;
  /** The image as last applied (client-side apply keeps it in the annotation). */
  appliedImage: string;
  /** A tag that does not exist in the registry (pulls fail with not found). */
  missingTag?: boolean;
}

export interface SimWorkload {
  kind: WorkloadKind;
  namespace: string;
  name: string;
  uid: string;
  writer: Writer;
  serviceAccount: string;
  replicas: number;
  containers: SimContainer[];
  createdAt: number;
  /** Current ReplicaSet (Deployments) or Job (CronJobs). */
  revision: number;
  revisionUid: string;
  revisionName: string;
  pods: Set<string>;
  jobs?: Array<{ name: string; uid: string; pod: string | null; startedAt: number }>;
}

export interface SimContainerState {
  name: string;
  type: SimPullerType;
  digest: string | null;
  waiting: { reason: string; message: string } | null;
  /** When it started, if later than its pod (a pull that succeeded on a retry). */
  startedAt?: number;
  /** Whether the Pulled event of its start reached the API server. */
  pulledEvent?: boolean;
  /** Why it waits, in the product's words. */
  cause?: SimFailure | "invalid-name" | "never-pull";
  /**
   * A container not created because an image volume of its pod is not pulled (it waits in
   * ContainerCreating or PodInitializing): the volume's name. It is not waiting on its own image.
   */
  blockedBy?: string;
}

export interface SimPod {
  name: string;
  namespace: string;
  uid: string;
  node: string;
  workload: SimWorkload;
  startedAt: number;
  containers: SimContainerState[];
  done?: boolean;
}

export interface SimNode {
  name: string;
  uid: string;
  runtime: Runtime;
  runtimeVersion: string;
  /** Images on disk: canonical@digest → names and size. */
  images: Map<string, { names: string[]; sizeBytes: number; lastUsed: number }>;
  /** What the node has under a tag reference: canonical:tag → digest. */
  tags: Map<string, string>;
  /** Multiplier on pull time (slow disks, far zones). */
  speed: number;
  /** What its kubelet's /metrics counts of image pulls (kubelet-metrics.ts). */
  metrics: KubeletMetrics;
}

export interface SimNamespace {
  name: string;
  uid: string;
  env: "production" | "staging" | "development";
  team: string;
  /** ServiceAccount → pull secrets it references. */
  serviceAccounts: Map<string, string[]>;
  /** Secrets that exist (names). */
  secrets: Set<string>;
}

export interface Incident {
  registry: string;
  from: number;
  to: number;
  /** Pull time multiplier, or a failure cause. */
  slowdown?: number;
  failure?: SimFailure;
  /**
   * The nodes' credential provider plugin for this registry fails: pulls go without credentials
   * (a 401) and each run counts a plugin error.
   */
  credentialPluginDown?: boolean;
}

/** One pull event as emitted, kept for ground truth even after it expires from the API. */
export interface EmittedEvent {
  uid: string;
  name: string;
  namespace: string;
  pod: string;
  container: string;
  reason: string;
  type: "Normal" | "Warning";
  message: string;
  count: number;
  firstTimestamp: number;
  lastTimestamp: number;
  /** Set for Pulled events after a pull; what the message's first duration says, in ns. */
  pullNs: number | null;
  /** The latest occurrence; `lastTimestamp` is the latest the API server received. */
  lastOccurrence: number;
  /** Occurrences the kubelet recorded; `count` is what the API server holds (the spam filter delays updates). */
  occurrences: number;
  /** Whether the API server ever received it (client-go's spam filter drops new events past its budget). */
  written: boolean;
  /** When the API server first received it: it held it from then until `lastTimestamp` + TTL. */
  writtenAt?: number;
  /** client-go's aggregator combined it from similar events. */
  aggregated: boolean;
}

export interface ContainerTruth {
  kind: SimTagKind;
}
