// A rule's fix snippet made concrete for one container: its name, its repository and registry, and — where the
// snippet asks for a digest and exactly one digest is running — the digest that runs now, so that
// pinning changes nothing about what runs; kubectl commands name the namespace, the workload and a pod
// of it that reported the condition, when they are known.
export interface FixTarget {
  container: string | null;
  registry?: string;
  repository?: string;
  runningDigest?: string | null;
  namespace?: string;
  /** The workload, for `rollout restart <kind>/<name>`. */
  workload?: { kind: string; name: string };
  /** A pod of the workload whose events show the condition. */
  pod?: string | null;
}

import { imageVolumeName } from "@pullsight/core";

const RESTARTABLE = new Set(["Deployment", "StatefulSet", "DaemonSet"]);
const EXAMPLE_IMAGE = /registry\.example\.com\/[a-z0-9._/-]+(?=[:@\s])/g;

export function concreteFix(yaml: string, target: FixTarget): string {
  let out = yaml;
  const volume = target.container ? imageVolumeName(target.container) : null;
  if (volume !== null) out = asImageVolume(out, volume);
  else if (target.container) out = out.replace(/^(\s*- name: )[a-z0-9-]+$/m, `$1${target.container}`);
  if (target.registry && target.repository) {
    const repo =
      target.registry === "docker.io"
        ? `docker.io/${target.repository}`
        : `${target.registry}/${target.repository}`;
    out = out.replace(EXAMPLE_IMAGE, repo);
    // The snippet's example version is not this image's: leave a placeholder to fill in.
    out = out.replaceAll(new RegExp(`${escapeRegExp(repo)}:\\d[\\w.-]*`, "g"), `${repo}:<version>`);
    // A bare registry host (a pull secret's --docker-server): this image's registry.
    out = out.replaceAll(
      /registry\.example\.com(?![\w/.-])/g,
      target.registry === "docker.io" ? "https://index.docker.io/v1/" : target.registry,
    );
  }
  if (target.runningDigest) out = out.replaceAll("sha256:<digest>", target.runningDigest);
  if (target.namespace) out = out.replaceAll("-n <namespace>", `-n ${target.namespace}`);
  if (target.pod) out = out.replaceAll("pod <pod>", `pod ${target.pod}`);
  // `rollout restart` takes these kinds only; for others the command keeps its placeholder.
  if (target.workload && RESTARTABLE.has(target.workload.kind))
    out = out.replaceAll(
      "deployment/<name>",
      `${target.workload.kind.toLowerCase()}/${target.workload.name}`,
    );
  return out;
}

/**
 * A container snippet rewritten for an image volume: the same reference and policy under
 * `volumes[].image` (`reference`, `pullPolicy`). Snippets of other objects are left as they are.
 */
function asImageVolume(yaml: string, volume: string): string {
  if (!yaml.startsWith("containers:")) return yaml;
  return yaml
    .split("\n")
    .flatMap((line) => {
      if (line === "containers:") return ["volumes:"];
      const name = /^(\s*- name: )\S+$/.exec(line);
      if (name) return [`${name[1]}${volume}`, "    image:"];
      // A field, or a field commented out (an alternative the snippet offers).
      const field = /^(\s*#?\s*)(image|imagePullPolicy): (.*)$/.exec(line);
      if (field) return [`${field[1]}  ${field[2] === "image" ? "reference" : "pullPolicy"}: ${field[3]}`];
      const comment = /^(\s+)(#.*)$/.exec(line);
      return [comment ? `${comment[1]}  ${comment[2]}` : line];
    })
    .join("\n");
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
