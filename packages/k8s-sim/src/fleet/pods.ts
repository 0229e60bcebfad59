import type { SimPod, SimWorkload } from "./model.ts";
import type { Random } from "./random.ts";

/** The name a controller gives a new pod of the workload (a CronJob's names its Job). */
export function podNameFor(rng: Random, w: SimWorkload, job?: string): string {
  if (w.kind === "Pod") return w.name;
  if (w.kind === "Job") return `${w.name}-${rng.suffix(5)}`;
  if (w.kind === "CronJob") return `${job}-${rng.suffix(5)}`;
  if (w.kind === "StatefulSet") {
    for (let i = 0; ; i++) if (!w.pods.has(`${w.name}-${i}`)) return `${w.name}-${i}`;
  }
  if (w.kind === "DaemonSet") return `${w.name}-${rng.suffix(5)}`;
  return `${w.revisionName}-${rng.suffix(5)}`;
}

/** The running pods of a cluster: found by namespace and name, removed in O(1), drawn at random by index. */
export class PodSet {
  /** In no particular order (removal moves the last pod into the gap). */
  readonly list: SimPod[] = [];
  private readonly index = new Map<string, number>();

  get(namespace: string, name: string): SimPod | undefined {
    const i = this.index.get(`${namespace}/${name}`);
    return i === undefined ? undefined : this.list[i];
  }

  add(p: SimPod) {
    this.index.set(`${p.namespace}/${p.name}`, this.list.length);
    this.list.push(p);
  }

  /** Whether the pod was there. */
  remove(p: SimPod): boolean {
    const key = `${p.namespace}/${p.name}`;
    const i = this.index.get(key);
    if (i === undefined) return false;
    const last = this.list.pop() as SimPod;
    if (last !== p) {
      this.list[i] = last;
      this.index.set(`${last.namespace}/${last.name}`, i);
    }
    this.index.delete(key);
    return true;
  }
}
