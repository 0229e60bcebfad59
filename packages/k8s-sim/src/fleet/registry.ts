// The registries behind the simulated fleet: which digest each tag points at now (moving tags
// move), and the incidents (slow or failing registries) the kubelet meets when it pulls.
import type { SimRepository } from "./catalog.ts";
import type { Incident } from "./model.ts";
import type { Random } from "./random.ts";

export class SimRegistry {
  private readonly tags = new Map<string, string>();
  readonly incidents: Incident[] = [];

  constructor(private readonly rng: Random) {}

  private newDigest(): string {
    return `sha256:${this.rng.hex(64)}`;
  }

  /** The digest a tag points at now (pushed on first use). */
  digestOf(repo: SimRepository, tag: string): string {
    const key = `${repo.canonical}:${tag || "latest"}`;
    let d = this.tags.get(key);
    if (!d) {
      d = this.newDigest();
      this.tags.set(key, d);
    }
    return d;
  }

  /** The registry pushes a new image under a moving tag. */
  moveTag(repo: SimRepository, tag: string) {
    this.tags.set(`${repo.canonical}:${tag || "latest"}`, this.newDigest());
  }

  incidentAt(registry: string, t: number): Incident | undefined {
    return this.incidents.find((i) => i.registry === registry && i.from <= t && t < i.to);
  }
}
