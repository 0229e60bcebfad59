// A rule's fix snippet made concrete for one container: its name, its repository and registry, and — where the
// snippet asks for a digest and exactly one digest is running — the digest that runs now, so that
// pinning changes nothing about what runs.
export interface FixTarget {
  container: string | null;
  registry?: string;
  repository?: string;
  runningDigest?: string | null;
}

const EXAMPLE_IMAGE = /registry\.example\.com\/[a-z0-9._/-]+(?=[:@\s])/g;

export function concreteFix(yaml: string, target: FixTarget): string {
  let out = yaml;
  if (target.container) out = out.replace(/^(\s*- name: )[a-z0-9-]+$/m, `$1${target.container}`);
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
  return out;
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
