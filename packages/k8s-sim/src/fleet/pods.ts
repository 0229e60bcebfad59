import type { SimPod } from "./model.ts";

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
