// What pod status says of an image volume (spec.volumes[].image). The kubelet pulls image volumes
// for the pod before it creates any container (kuberuntime_manager.go SyncPod, getImageVolumes):
//  - its digest appears only where the ImageVolumeWithDigest gate is on (alpha from 1.35), on the
//    mounts of each container that mounts it: status.containerStatuses[].volumeMounts[]
//    .volumeStatus.image.imageRef, shaped like a container's imageID;
//  - a failing pull leaves no waiting state of its own: SyncPod stops before creating containers,
//    so they wait in ContainerCreating (PodInitializing behind init containers), and only the
//    pod's events (Failed, BackOff, naming no container) tell which image failed and why.
// So an image volume's status is assembled here, in the shape of a container status, so that what
// runs and what waits are read the same way for containers and image volumes.
import { imageVolumeName } from "@pullsight/core";
import { type PullFailureStart, podImageKey } from "@pullsight/db";
import type { RawObject } from "./k8s/reader.ts";

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

/** Why a container that has not been created waits while its pod's image volumes are pulled. */
const NOT_CREATED = new Set(["ContainerCreating", "PodInitializing"]);

const statusLists = (pod: RawObject): Obj[] => {
  const status = isObj(pod.status) ? pod.status : {};
  return ["containerStatuses", "initContainerStatuses"].flatMap((list) =>
    Array.isArray(status[list]) ? (status[list] as unknown[]).filter(isObj) : [],
  );
};

/** The reference of the pod's image volume named `volume`, or null. */
function referenceOf(pod: RawObject, volume: string): string | null {
  const spec = isObj(pod.spec) ? pod.spec : {};
  const volumes = Array.isArray(spec.volumes) ? spec.volumes : [];
  const v = volumes.find((x) => isObj(x) && x.name === volume && isObj(x.image));
  const reference = isObj(v) && isObj(v.image) ? v.image.reference : null;
  return typeof reference === "string" ? reference : null;
}

/** Whether the pod declares image volumes and none of its containers has been created yet. */
export function awaitsImageVolumes(pod: RawObject): boolean {
  const spec = isObj(pod.spec) ? pod.spec : {};
  if (!Array.isArray(spec.volumes) || !spec.volumes.some((v) => isObj(v) && isObj(v.image))) return false;
  const statuses = statusLists(pod);
  return (
    statuses.length > 0 &&
    statuses.every((s) => {
      const waiting = isObj(s.state) && isObj(s.state.waiting) ? s.state.waiting : null;
      return waiting !== null && NOT_CREATED.has(String(waiting.reason));
    })
  );
}

/** The digest a container's mounts report for the volume (ImageVolumeWithDigest), or "". */
function mountedImageRef(pod: RawObject, volume: string): string {
  for (const s of statusLists(pod)) {
    const mounts = Array.isArray(s.volumeMounts) ? s.volumeMounts : [];
    for (const m of mounts) {
      if (!isObj(m) || m.name !== volume || !isObj(m.volumeStatus)) continue;
      const image = m.volumeStatus.image;
      if (isObj(image) && typeof image.imageRef === "string") return image.imageRef;
    }
  }
  return "";
}

/**
 * An image volume's status in one pod, shaped like a container status (name, image, imageID,
 * state): its digest where the mounts report one, and waiting on its pull where the pod's
 * containers are not created and its events tell of failing pulls of the volume's reference.
 * `failureKey` names the failure start the waiting state came from. Null when `key` is not an
 * image volume of this pod.
 */
export function imageVolumeStatus(
  pod: RawObject,
  key: string,
  failureStarts: ReadonlyMap<string, PullFailureStart>,
): Obj | null {
  const volume = imageVolumeName(key);
  const reference = volume === null ? null : referenceOf(pod, volume);
  if (volume === null || reference === null) return null;
  const status: Obj = { name: key, image: reference, imageID: mountedImageRef(pod, volume) };
  const failureKey = podImageKey(pod.metadata.namespace ?? "", pod.metadata.name, reference);
  if (awaitsImageVolumes(pod) && failureStarts.has(failureKey)) {
    status.state = {
      waiting: {
        reason: "ErrImagePull",
        message: `the kubelet fails to pull image volume "${volume}" (${reference}): the pod's containers wait to be created; the cause is from its events`,
      },
    };
    status.failureKey = failureKey;
  }
  return status;
}
