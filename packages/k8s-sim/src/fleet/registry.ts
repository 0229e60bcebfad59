// The registries behind the simulated fleet: which digest each tag points at (moving tags move),
// and the incidents (slow or failing registries) the kubelet meets when it pulls.
import { createHash } from "node:crypto";
import type { SimRepository } from "./catalog.ts";
import type { Incident } from "./model.ts";
import type { Random } from "./random.ts";

const keyOf = (repo: SimRepository, tag: string) => `${repo.canonical}:${tag || "latest"}`;

/**
 * What the registries hold, for the whole fleet: each tag's pushes, numbered. A push's digest is
 * the same in every cluster (derived from the seed, the tag and its number), and the registry
 * answers with the latest push any cluster has seen. Each cluster plays its own pushes (a tag moves
 * at a time of its own plan), so a cluster whose nodes never saw the latest push runs an older one:
 * to the registry prober, a tag that moved under running pods.
 */
export class SimTagStore {
  private readonly latest = new Map<string, number>();

  constructor(private readonly seed: number) {}

  /** The digest of a tag's push number `n` (0: the push before anything was simulated). */
  digest(repo: SimRepository, tag: string, n: number): string {
    const hex = createHash("sha256")
      .update(`${this.seed}:${keyOf(repo, tag)}:${n}`)
      .digest("hex");
    return `sha256:${hex}`;
  }

  /** A cluster saw push `n` of a tag. */
  saw(repo: SimRepository, tag: string, n: number) {
    const key = keyOf(repo, tag);
    if ((this.latest.get(key) ?? -1) < n) this.latest.set(key, n);
  }

  /** The registry pushes again under a tag, beyond what any cluster has seen (tests, demos). */
  move(repo: SimRepository, tag: string) {
    this.saw(repo, tag, (this.latest.get(keyOf(repo, tag)) ?? 0) + 1);
  }

  /** Whether any cluster has pulled or pushed the tag (it exists in the registry, catalogued or not). */
  knows(repo: SimRepository, tag: string): boolean {
    return this.latest.has(keyOf(repo, tag));
  }

  /** What the tag resolves to now: its latest push. */
  current(repo: SimRepository, tag: string): string {
    return this.digest(repo, tag, this.latest.get(keyOf(repo, tag)) ?? 0);
  }

  /** Every digest any tag of the repository has pointed at (a digest reference to any resolves). */
  digestsOf(repo: SimRepository): Set<string> {
    const out = new Set<string>();
    for (const t of repo.tags) {
      for (let n = 0; n <= (this.latest.get(keyOf(repo, t.tag)) ?? 0); n++)
        out.add(this.digest(repo, t.tag, n));
    }
    return out;
  }
}

export class SimRegistry {
  readonly incidents: Incident[] = [];
  /** Which push of each tag this cluster's registry serves. */
  private readonly pushes = new Map<string, number>();

  /**
   * Digests are drawn as they always were (one on a tag's first use, one per move) so that the
   * cluster's random stream, and with it everything else it simulates, does not depend on the store.
   */
  constructor(
    private readonly rng: Random,
    private readonly store: SimTagStore,
  ) {}

  /** The digest a tag points at now (pushed on first use). */
  digestOf(repo: SimRepository, tag: string): string {
    const key = keyOf(repo, tag);
    let n = this.pushes.get(key);
    if (n === undefined) {
      this.rng.hex(64);
      n = 0;
      this.pushes.set(key, n);
      this.store.saw(repo, tag, n);
    }
    return this.store.digest(repo, tag, n);
  }

  /** The registry pushes a new image under a moving tag. */
  moveTag(repo: SimRepository, tag: string) {
    this.rng.hex(64);
    const key = keyOf(repo, tag);
    const n = (this.pushes.get(key) ?? 0) + 1;
    this.pushes.set(key, n);
    this.store.saw(repo, tag, n);
  }

  incidentAt(registry: string, t: number): Incident | undefined {
    return this.incidents.find((i) => i.registry === registry && i.from <= t && t < i.to);
  }
}
