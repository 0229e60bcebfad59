// Long by design: one builder per kind the simulator serves (namespaces, nodes, pods, workloads,
// ReplicaSets, Jobs, ServiceAccounts, Secrets), kept together because they share the apply metadata.
// Kubernetes objects for the simulated state, written the way the API server returns them:
// defaulted fields present, owner references set by controllers, apply metadata written the way
// kubectl (client-side and server-side) and helm leave it.
import type { KObject } from "../server/store.ts";
import { imageID } from "./kubelet.ts";
import type { SimContainer, SimContainerState, SimNamespace, SimNode, SimPod, SimWorkload } from "./model.ts";

export const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

const WORKLOAD_API: Record<string, string> = {
  Deployment: "apps/v1",
  StatefulSet: "apps/v1",
  DaemonSet: "apps/v1",
  ReplicaSet: "apps/v1",
  CronJob: "batch/v1",
  Job: "batch/v1",
  Pod: "v1",
};

function containerSpec(c: SimContainer, mounts: SimContainer[] = []) {
  return {
    name: c.name,
    image: c.image,
    imagePullPolicy: c.policy,
    resources: {},
    terminationMessagePath: "/dev/termination-log",
    terminationMessagePolicy: "File",
    ...(mounts.length
      ? { volumeMounts: mounts.map((v) => ({ name: v.name, mountPath: `/mnt/${v.name}`, readOnly: true })) }
      : {}),
  };
}

/** The workload's image volumes: mounted by its first container. */
const imageVolumes = (w: SimWorkload) => w.containers.filter((c) => c.type === "volume");

function podSpec(w: SimWorkload, pullSecrets: string[]) {
  const init = w.containers.filter((c) => c.type === "init");
  const volumes = imageVolumes(w);
  return {
    ...(init.length ? { initContainers: init.map((c) => containerSpec(c)) } : {}),
    containers: w.containers
      .filter((c) => c.type === "container")
      .map((c, i) => containerSpec(c, i === 0 ? volumes : [])),
    ...(volumes.length
      ? {
          volumes: volumes.map((v) => ({
            name: v.name,
            image: { reference: v.image, pullPolicy: v.policy },
          })),
        }
      : {}),
    restartPolicy: w.kind === "CronJob" || w.kind === "Job" ? "OnFailure" : "Always",
    terminationGracePeriodSeconds: 30,
    dnsPolicy: "ClusterFirst",
    serviceAccountName: w.serviceAccount,
    serviceAccount: w.serviceAccount,
    securityContext: {},
    schedulerName: "default-scheduler",
    ...(pullSecrets.length ? { imagePullSecrets: pullSecrets.map((name) => ({ name })) } : {}),
  };
}

/** The manifest a person applied: the policy only where they wrote it, the image as applied. */
function appliedManifest(w: SimWorkload) {
  const containers = (type: "container" | "init") =>
    w.containers
      .filter((c) => c.type === type)
      .map((c) => ({
        name: c.name,
        image: c.appliedImage,
        ...(c.policyInManifest ? { imagePullPolicy: c.policy } : {}),
      }));
  const init = containers("init");
  const volumes = imageVolumes(w).map((v) => ({
    name: v.name,
    image: { reference: v.appliedImage, ...(v.policyInManifest ? { pullPolicy: v.policy } : {}) },
  }));
  const spec = {
    ...(init.length ? { initContainers: init } : {}),
    containers: containers("container"),
    ...(volumes.length ? { volumes } : {}),
    serviceAccountName: w.serviceAccount,
  };
  const template = { metadata: { labels: { app: w.name } }, spec };
  const body =
    w.kind === "Pod"
      ? spec
      : w.kind === "CronJob"
        ? { schedule: "*/30 * * * *", jobTemplate: { spec: { template } } }
        : w.kind === "Job"
          ? { template }
          : {
              ...(w.kind === "DaemonSet" ? {} : { replicas: w.replicas }),
              selector: { matchLabels: { app: w.name } },
              template,
            };
  return {
    apiVersion: WORKLOAD_API[w.kind],
    kind: w.kind,
    metadata: { name: w.name, namespace: w.namespace, labels: { app: w.name } },
    spec: body,
  };
}

const templatePath = (kind: string): string[] =>
  kind === "Pod"
    ? []
    : kind === "CronJob"
      ? ["f:jobTemplate", "f:spec", "f:template", "f:spec"]
      : ["f:template", "f:spec"];

function containerFields(w: SimWorkload, includePolicy: (c: SimContainer) => boolean) {
  const out: Record<string, unknown> = {};
  for (const type of ["container", "init"] as const) {
    const list = w.containers.filter((c) => c.type === type);
    if (!list.length) continue;
    out[type === "init" ? "f:initContainers" : "f:containers"] = Object.fromEntries(
      list.map((c) => [
        `k:${JSON.stringify({ name: c.name })}`,
        { ".": {}, "f:image": {}, "f:name": {}, ...(includePolicy(c) ? { "f:imagePullPolicy": {} } : {}) },
      ]),
    );
  }
  const volumes = imageVolumes(w);
  if (volumes.length)
    out["f:volumes"] = Object.fromEntries(
      volumes.map((v) => [
        `k:${JSON.stringify({ name: v.name })}`,
        {
          ".": {},
          "f:name": {},
          "f:image": { "f:reference": {}, ...(includePolicy(v) ? { "f:pullPolicy": {} } : {}) },
        },
      ]),
    );
  return out;
}

function nest(path: string[], leaf: Record<string, unknown>): Record<string, unknown> {
  return path.reduceRight<Record<string, unknown>>((acc, key) => ({ [key]: acc }), leaf);
}

/** metadata.managedFields and annotations for how the workload was written. */
function applyMetadata(w: SimWorkload, at: number) {
  const time = iso(at);
  const apiVersion = WORKLOAD_API[w.kind];
  const path = templatePath(w.kind);
  const annotations: Record<string, string> = {};
  let managedFields: unknown[];
  if (w.writer === "client-side-apply") {
    annotations["kubectl.kubernetes.io/last-applied-configuration"] =
      `${JSON.stringify(appliedManifest(w))}\n`;
    managedFields = [
      {
        manager: "kubectl-client-side-apply",
        operation: "Update",
        apiVersion,
        time,
        fieldsType: "FieldsV1",
        // Update entries own the defaulted policy too: that is why they prove nothing.
        fieldsV1: {
          "f:spec": nest(
            path,
            containerFields(w, () => true),
          ),
        },
      },
    ];
  } else if (w.writer === "server-side-apply") {
    managedFields = [
      {
        manager: "argocd-controller",
        operation: "Apply",
        apiVersion,
        time,
        fieldsType: "FieldsV1",
        fieldsV1: {
          "f:spec": nest(
            path,
            containerFields(w, (c) => c.policyInManifest),
          ),
        },
      },
    ];
  } else {
    annotations["meta.helm.sh/release-name"] = w.name;
    annotations["meta.helm.sh/release-namespace"] = w.namespace;
    managedFields = [
      {
        manager: "helm",
        operation: "Update",
        apiVersion,
        time,
        fieldsType: "FieldsV1",
        fieldsV1: {
          "f:spec": nest(
            path,
            containerFields(w, () => true),
          ),
        },
      },
    ];
  }
  return { annotations, managedFields };
}

export function workloadObject(w: SimWorkload, ns: SimNamespace, now: number): KObject {
  const { annotations, managedFields } = applyMetadata(w, w.createdAt);
  const pullSecrets = w.kind === "Pod" ? (ns.serviceAccounts.get(w.serviceAccount) ?? []) : [];
  const template = {
    metadata: { labels: { app: w.name }, creationTimestamp: null },
    spec: podSpec(w, pullSecrets),
  };
  const metadata = {
    name: w.name,
    namespace: w.namespace,
    uid: w.uid,
    generation: w.revision,
    creationTimestamp: iso(w.createdAt),
    labels: { app: w.name, "app.kubernetes.io/name": w.name, team: ns.team },
    annotations: {
      ...annotations,
      ...(w.kind === "Deployment" ? { "deployment.kubernetes.io/revision": String(w.revision) } : {}),
    },
    managedFields,
  };
  const ready = w.pods.size;
  switch (w.kind) {
    case "Deployment":
      return {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata,
        spec: {
          replicas: w.replicas,
          selector: { matchLabels: { app: w.name } },
          template,
          strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: "25%", maxSurge: "25%" } },
          revisionHistoryLimit: 10,
          progressDeadlineSeconds: 600,
        },
        status: {
          observedGeneration: w.revision,
          replicas: w.replicas,
          updatedReplicas: w.replicas,
          readyReplicas: ready,
          availableReplicas: ready,
        },
      };
    case "StatefulSet":
      return {
        apiVersion: "apps/v1",
        kind: "StatefulSet",
        metadata,
        spec: {
          replicas: w.replicas,
          selector: { matchLabels: { app: w.name } },
          serviceName: w.name,
          template,
          podManagementPolicy: "OrderedReady",
          updateStrategy: { type: "RollingUpdate", rollingUpdate: { partition: 0 } },
        },
        status: {
          observedGeneration: w.revision,
          replicas: w.replicas,
          readyReplicas: ready,
          currentReplicas: w.replicas,
          updatedReplicas: w.replicas,
        },
      };
    case "DaemonSet":
      return {
        apiVersion: "apps/v1",
        kind: "DaemonSet",
        metadata,
        spec: {
          selector: { matchLabels: { app: w.name } },
          template,
          updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } },
        },
        status: {
          currentNumberScheduled: ready,
          desiredNumberScheduled: w.replicas,
          numberReady: ready,
          numberMisscheduled: 0,
        },
      };
    case "CronJob":
      return {
        apiVersion: "batch/v1",
        kind: "CronJob",
        metadata,
        spec: {
          schedule: "*/30 * * * *",
          concurrencyPolicy: "Allow",
          suspend: false,
          successfulJobsHistoryLimit: 3,
          failedJobsHistoryLimit: 1,
          jobTemplate: { metadata: { creationTimestamp: null }, spec: { backoffLimit: 6, template } },
        },
        status: { lastScheduleTime: iso(now) },
      };
    case "Job":
      return {
        apiVersion: "batch/v1",
        kind: "Job",
        metadata,
        spec: { parallelism: 1, completions: 1, backoffLimit: 6, template },
        status: { active: ready, startTime: iso(w.createdAt) },
      };
    case "Pod":
      throw new Error("bare pods are written by podObject");
  }
}

export function replicaSetObject(w: SimWorkload): KObject {
  return {
    apiVersion: "apps/v1",
    kind: "ReplicaSet",
    metadata: {
      name: w.revisionName,
      namespace: w.namespace,
      uid: w.revisionUid,
      creationTimestamp: iso(w.createdAt),
      labels: { app: w.name, "pod-template-hash": w.revisionName.slice(w.name.length + 1) },
      annotations: { "deployment.kubernetes.io/revision": String(w.revision) },
      ownerReferences: [
        {
          apiVersion: "apps/v1",
          kind: "Deployment",
          name: w.name,
          uid: w.uid,
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
      managedFields: [
        {
          manager: "kube-controller-manager",
          operation: "Update",
          apiVersion: "apps/v1",
          time: iso(w.createdAt),
          fieldsType: "FieldsV1",
          fieldsV1: {},
        },
      ],
    },
    spec: {
      replicas: w.replicas,
      selector: { matchLabels: { app: w.name } },
      template: { metadata: { labels: { app: w.name } }, spec: podSpec(w, []) },
    },
    status: {
      replicas: w.pods.size,
      readyReplicas: w.pods.size,
      availableReplicas: w.pods.size,
      observedGeneration: 1,
    },
  };
}

export function jobObject(
  w: SimWorkload,
  job: { name: string; uid: string; startedAt: number },
  done: boolean,
): KObject {
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: {
      name: job.name,
      namespace: w.namespace,
      uid: job.uid,
      creationTimestamp: iso(job.startedAt),
      labels: { app: w.name },
      ownerReferences: [
        {
          apiVersion: "batch/v1",
          kind: "CronJob",
          name: w.name,
          uid: w.uid,
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec: {
      parallelism: 1,
      completions: 1,
      backoffLimit: 6,
      template: { metadata: { labels: { app: w.name } }, spec: podSpec(w, []) },
    },
    status: done
      ? { succeeded: 1, startTime: iso(job.startedAt), completionTime: iso(job.startedAt + 120_000) }
      : { active: 1, startTime: iso(job.startedAt) },
  };
}

/**
 * The mounts of a pod's image volumes in its first container's status. Only with the
 * ImageVolumeWithDigest gate do they carry the digest (volumeStatus.image.imageRef, shaped like
 * an imageID); without it, the kubelet reports the mounts alone.
 */
function volumeMountStatuses(p: SimPod, node: SimNode, digests: boolean) {
  const volumes = p.workload.containers.filter((c) => c.type === "volume");
  return volumes.map((v) => {
    const state = p.containers.find((s) => s.type === "volume" && s.name === v.name);
    const ref =
      digests && state?.digest && v.repo
        ? imageID(node.runtime, v.repo.written, v.repo.canonical, state.digest)
        : null;
    return {
      name: v.name,
      mountPath: `/mnt/${v.name}`,
      readOnly: true,
      recursiveReadOnly: "Disabled",
      ...(ref ? { volumeStatus: { image: { imageRef: ref } } } : {}),
    };
  });
}

export function podObject(
  p: SimPod,
  ns: SimNamespace,
  node: SimNode,
  gates: { ImageVolumeWithDigest?: boolean } = {},
): KObject {
  const w = p.workload;
  const pullSecrets = ns.serviceAccounts.get(w.serviceAccount) ?? [];
  let owner: { apiVersion: string; kind: string; name: string; uid: string } | null = null;
  if (w.kind === "Deployment")
    owner = { apiVersion: "apps/v1", kind: "ReplicaSet", name: w.revisionName, uid: w.revisionUid };
  else if (w.kind === "StatefulSet" || w.kind === "DaemonSet")
    owner = { apiVersion: "apps/v1", kind: w.kind, name: w.name, uid: w.uid };
  else if (w.kind === "Job") owner = { apiVersion: "batch/v1", kind: "Job", name: w.name, uid: w.uid };
  else if (w.kind === "CronJob") {
    const job = w.jobs?.find((j) => j.pod === p.name);
    if (job) owner = { apiVersion: "batch/v1", kind: "Job", name: job.name, uid: job.uid };
  }
  const bare = w.kind === "Pod" ? applyMetadata(w, w.createdAt) : null;
  const started = iso(p.startedAt);
  const status = (c: SimContainerState) => {
    const containerStarted = c.startedAt ? iso(c.startedAt) : started;
    const spec = w.containers.find((x) => x.name === c.name) as SimContainer;
    const base = {
      name: c.name,
      image: spec.image,
      imageID:
        c.digest && spec.repo ? imageID(node.runtime, spec.repo.written, spec.repo.canonical, c.digest) : "",
      restartCount: 0,
    };
    if (c.waiting) return { ...base, ready: false, started: false, state: { waiting: c.waiting } };
    if (c.type === "init" || p.done)
      return {
        ...base,
        ready: false,
        started: false,
        state: {
          terminated: {
            exitCode: 0,
            reason: "Completed",
            startedAt: containerStarted,
            finishedAt: iso((c.startedAt ?? p.startedAt) + 30_000),
          },
        },
      };
    return { ...base, ready: true, started: true, state: { running: { startedAt: containerStarted } } };
  };
  const waiting = p.containers.some((c) => c.waiting);
  const mounts = volumeMountStatuses(p, node, gates.ImageVolumeWithDigest ?? false);
  const containerStatuses = p.containers
    .filter((c) => c.type === "container")
    .map((c, i) => (i === 0 && mounts.length ? { ...status(c), volumeMounts: mounts } : status(c)));
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name: p.name,
      namespace: p.namespace,
      uid: p.uid,
      creationTimestamp: started,
      labels: {
        app: w.name,
        ...(w.kind === "Deployment" ? { "pod-template-hash": w.revisionName.slice(w.name.length + 1) } : {}),
      },
      ...(owner ? { ownerReferences: [{ ...owner, controller: true, blockOwnerDeletion: true }] } : {}),
      ...(bare ? { annotations: bare.annotations, managedFields: bare.managedFields } : {}),
    },
    spec: {
      ...podSpec(w, pullSecrets),
      nodeName: p.node,
      enableServiceLinks: true,
      priority: 0,
      preemptionPolicy: "PreemptLowerPriority",
    },
    status: {
      phase: p.done ? "Succeeded" : waiting ? "Pending" : "Running",
      hostIP: `10.0.${node.name.length}.${Number.parseInt(node.uid.slice(0, 2), 16)}`,
      podIP: `10.244.${Number.parseInt(p.uid.slice(0, 2), 16)}.${Number.parseInt(p.uid.slice(2, 4), 16)}`,
      startTime: started,
      qosClass: "BestEffort",
      conditions: [
        {
          type: "Ready",
          status: waiting || p.done ? "False" : "True",
          lastTransitionTime: started,
          lastProbeTime: null,
        },
      ],
      ...(p.containers.some((c) => c.type === "init")
        ? { initContainerStatuses: p.containers.filter((c) => c.type === "init").map(status) }
        : {}),
      containerStatuses,
    },
  };
}

export function nodeObject(n: SimNode, gitVersion: string, createdAt: number): KObject {
  const images = [...n.images.entries()]
    .sort((a, b) => b[1].sizeBytes - a[1].sizeBytes || a[0].localeCompare(b[0]))
    .slice(0, 50) // nodeStatusMaxImages
    .map(([, v]) => ({ names: v.names, sizeBytes: v.sizeBytes }));
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: {
      name: n.name,
      uid: n.uid,
      creationTimestamp: iso(createdAt),
      labels: {
        "kubernetes.io/hostname": n.name,
        "kubernetes.io/os": "linux",
        "node.kubernetes.io/instance-type": "m6i.xlarge",
        "topology.kubernetes.io/zone": `eu-west-1${"abc"[n.name.length % 3]}`,
      },
    },
    spec: { podCIDR: "10.244.0.0/24" },
    status: {
      conditions: [
        { type: "Ready", status: "True", reason: "KubeletReady", message: "kubelet is posting ready status" },
      ],
      nodeInfo: {
        kubeletVersion: gitVersion,
        kubeProxyVersion: gitVersion,
        containerRuntimeVersion: `${n.runtime}://${n.runtimeVersion}`,
        operatingSystem: "linux",
        architecture: "amd64",
        osImage: "Ubuntu 22.04.4 LTS",
        kernelVersion: "6.5.0-1024-aws",
      },
      images,
    },
  };
}

/**
 * How a namespace names its team, as fleets do it: most by a `team` label, staging namespaces by an
 * `owner` annotation written the way people write names, kube-system by nothing (an operator names
 * its owner in the profiles file). `ns.team` is the owner a reader should arrive at.
 */
function ownerMetadata(ns: SimNamespace): {
  labels: Record<string, string>;
  annotations?: Record<string, string>;
} {
  if (ns.name === "kube-system") return { labels: {} };
  if (ns.env === "staging")
    return { labels: {}, annotations: { owner: ` ${ns.team.charAt(0).toUpperCase()}${ns.team.slice(1)} ` } };
  return { labels: { team: ns.team } };
}

export function namespaceObject(ns: SimNamespace, createdAt: number): KObject {
  const owner = ownerMetadata(ns);
  return {
    apiVersion: "v1",
    kind: "Namespace",
    metadata: {
      name: ns.name,
      uid: ns.uid,
      creationTimestamp: iso(createdAt),
      labels: { "kubernetes.io/metadata.name": ns.name, env: ns.env, ...owner.labels },
      ...(owner.annotations ? { annotations: owner.annotations } : {}),
    },
    spec: { finalizers: ["kubernetes"] },
    status: { phase: "Active" },
  };
}

/** The annotation a ServiceAccount-token credential provider of the simulated fleet requires. */
export const WORKLOAD_IDENTITY_ANNOTATION = "iam.acme.example/role";

/**
 * A ServiceAccount's annotations: the `app` ServiceAccounts of half the namespaces (by uid, so the
 * generator's random stream is untouched) are bound to a workload identity.
 */
export function serviceAccountAnnotations(ns: SimNamespace, name: string): Record<string, string> {
  const bound = name === "app" && Number.parseInt(ns.uid.slice(-1), 16) % 2 === 0;
  return bound ? { [WORKLOAD_IDENTITY_ANNOTATION]: `arn:acme:iam::${ns.name}-puller` } : {};
}

export function serviceAccountObject(
  ns: SimNamespace,
  name: string,
  uid: string,
  createdAt: number,
): KObject {
  const secrets = ns.serviceAccounts.get(name) ?? [];
  const annotations = serviceAccountAnnotations(ns, name);
  return {
    apiVersion: "v1",
    kind: "ServiceAccount",
    metadata: {
      name,
      namespace: ns.name,
      uid,
      creationTimestamp: iso(createdAt),
      ...(Object.keys(annotations).length ? { annotations } : {}),
    },
    ...(secrets.length ? { imagePullSecrets: secrets.map((s) => ({ name: s })) } : {}),
  };
}

export function secretObject(ns: SimNamespace, name: string, uid: string, createdAt: number): KObject {
  // Fake credentials: the collector must never read them (it asks for metadata only).
  const config = JSON.stringify({
    auths: { "registry.acme.internal": { auth: Buffer.from(`robot:${uid}`).toString("base64") } },
  });
  const type = "kubernetes.io/dockerconfigjson";
  const data = { ".dockerconfigjson": Buffer.from(config).toString("base64") };
  // As `kubectl apply` leaves it: the whole Secret, data included, in an annotation that a
  // metadata-only list still returns.
  const applied = { apiVersion: "v1", kind: "Secret", metadata: { name, namespace: ns.name }, type, data };
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: {
      name,
      namespace: ns.name,
      uid,
      creationTimestamp: iso(createdAt),
      annotations: { "kubectl.kubernetes.io/last-applied-configuration": JSON.stringify(applied) },
    },
    type,
    data,
  };
}
