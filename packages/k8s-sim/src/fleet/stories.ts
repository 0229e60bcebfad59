// What happens to a cluster day by day: ordinary rollouts, registries pushing under moving tags,
// the odd slow or failing registry, and (for the demo) a story told in days since the start:
// a regression to :latest with IfNotPresent, its fix, a rate-limit incident, moved tags, a slow
// registry.
import { REPOSITORIES } from "./catalog.ts";
import { DAY, HOUR, imageString, MINUTE } from "./generate.ts";
import type { SimFailure } from "./kubelet.ts";
import type { SimContainer, SimNamespace, SimWorkload } from "./model.ts";
import type { Random } from "./random.ts";
import type { SimRegistry } from "./registry.ts";

/** What a day's plan acts on. */
export interface Stage {
  rng: Random;
  workloads: readonly SimWorkload[];
  namespaces: readonly SimNamespace[];
  registry: SimRegistry;
  spec: { story?: boolean; startTime: number };
  rollout(w: SimWorkload, change: (c: SimContainer) => void, at: number, viaSetImage?: boolean): void;
  schedule(at: number, run: () => void): void;
}

/** Plans one simulated day (the day number counts from the epoch). */
export function planDay(stage: Stage, day: number) {
  const start = day * DAY;
  planRollouts(stage, start);
  planTagMoves(stage, start);
  planIncident(stage, start);
  if (stage.spec.story) planStory(stage, day);
}

/**
 * Ordinary rollouts: version bumps, which keep the kind of tag a team uses (a version moves to
 * another version, a moving tag to another moving tag); the story's rollouts change the kind.
 */
function planRollouts({ rng, workloads, registry, rollout, schedule }: Stage, start: number) {
  const deployments = workloads.filter((w) => w.kind === "Deployment");
  for (let i = 0, n = Math.max(1, Math.round(deployments.length / 25)); i < n; i++) {
    const w = rng.pick(deployments);
    const at = start + rng.int(8 * 60, 18 * 60) * MINUTE;
    const viaSetImage = rng.chance(0.3);
    const bump = (c: SimContainer) => {
      if (!c.repo || c.type !== "container") return;
      const current = c.repo.tags.find((x) => x.tag === c.tag)?.kind ?? "full-version";
      const same = c.repo.tags.filter((x) => x.kind === current);
      const t = rng.pick(same.length ? same : c.repo.tags);
      c.tag = t.tag;
      c.missingTag = false;
      c.digest = c.digest ? registry.digestOf(c.repo, t.tag) : null;
      c.image = imageString(c.repo, c.tag, c.digest, false);
    };
    schedule(at, () => rollout(w, bump, at, viaSetImage));
  }
}

/** Registries push new images under moving tags. */
function planTagMoves({ rng, registry, schedule }: Stage, start: number) {
  for (const repo of REPOSITORIES) {
    for (const t of repo.tags) {
      if (["mutable", "untagged", "floating-version"].includes(t.kind) && rng.chance(0.08)) {
        schedule(start + rng.int(0, 1439) * MINUTE, () => registry.moveTag(repo, t.tag));
      }
    }
  }
}

/** Now and then a registry is slow or failing for a few hours. */
function planIncident({ rng, registry }: Stage, start: number) {
  if (!rng.chance(0.12)) return;
  const repo = rng.pick(REPOSITORIES);
  const from = start + rng.int(0, 20 * 60) * MINUTE;
  const slow = rng.chance(0.5);
  registry.incidents.push({
    registry: repo.registry,
    from,
    to: from + rng.int(1, 4) * HOUR,
    ...(slow
      ? { slowdown: rng.int(5, 15) }
      : { failure: rng.pick<SimFailure>(["rate-limited", "timeout", "tls", "network"]) }),
  });
}

/** The demo's story, counted in days since the simulation started. */
function planStory(stage: Stage, day: number) {
  const { registry, schedule } = stage;
  const elapsed = day - Math.floor(stage.spec.startTime / DAY);
  const at = day * DAY + 10 * HOUR;
  const team = stage.namespaces.filter((n) => n.team === "checkout" || n.team === "search");
  const teamDeployments = stage.workloads.filter(
    (w) => w.kind === "Deployment" && team.some((n) => n.name === w.namespace),
  );
  const rollAll = (
    ws: SimWorkload[],
    change: (c: SimContainer & { repo: NonNullable<SimContainer["repo"]> }) => void,
  ) => {
    const onApp = (c: SimContainer) => {
      if (c.repo && c.type === "container")
        change(c as SimContainer & { repo: NonNullable<SimContainer["repo"]> });
    };
    for (const w of ws) schedule(at, () => stage.rollout(w, onApp, at));
  };
  if (elapsed === 14) {
    // A rollout regresses: a shared chart moves to :latest with IfNotPresent.
    rollAll(teamDeployments.slice(0, Math.ceil(teamDeployments.length * 0.6)), (c) => {
      c.tag = "latest";
      c.digest = null;
      c.missingTag = false;
      c.image = imageString(c.repo, "latest", null, false);
      c.policy = "IfNotPresent";
      c.policyInManifest = true;
    });
  }
  if (elapsed === 24) {
    // The fix: pinned versions and digests.
    rollAll(teamDeployments, (c) => {
      const version = c.repo.tags.find((t) => t.kind === "full-version")?.tag ?? c.repo.tags[0]?.tag ?? "";
      c.tag = version;
      c.missingTag = false;
      c.digest = registry.digestOf(c.repo, version);
      c.image = imageString(c.repo, version, c.digest, false);
      c.policy = "IfNotPresent";
      c.policyInManifest = true;
    });
  }
  if (elapsed === 35)
    registry.incidents.push({ registry: "docker.io", from: at, to: at + 6 * HOUR, failure: "rate-limited" });
  if (elapsed === 42) {
    for (const repo of REPOSITORIES.filter((r) => r.written === "nginx" || r.written === "bitnami/redis")) {
      for (const t of repo.tags.filter((x) => x.kind === "floating-version" || x.kind === "mutable")) {
        schedule(at - 2 * HOUR, () => registry.moveTag(repo, t.tag));
      }
    }
  }
  if (elapsed === 49)
    registry.incidents.push({ registry: "ghcr.io", from: at, to: at + 3 * HOUR, slowdown: 12 });
}
