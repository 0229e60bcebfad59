// Discovery documents and the mapping of request paths to resources, as the API server does it:
// /api, /apis, group and group-version resource lists, and namespaced or cluster-scoped paths.
import { findResource, RESOURCES, type ResourceDef } from "./resources.ts";

const VERBS = ["get", "list", "watch"];

function apiResourceList(gv: string, defs: readonly ResourceDef[]) {
  return {
    kind: "APIResourceList",
    apiVersion: "v1",
    groupVersion: gv,
    resources: defs.map((r) => ({
      name: r.resource,
      singularName: r.singular,
      namespaced: r.namespaced,
      kind: r.kind,
      verbs: VERBS,
      ...(r.shortNames ? { shortNames: r.shortNames } : {}),
    })),
  };
}

function apiGroups() {
  const groups = [...new Set(RESOURCES.filter((r) => r.group).map((r) => r.group))];
  return groups.map((name) => {
    const versions = [...new Set(RESOURCES.filter((r) => r.group === name).map((r) => r.version))].map(
      (version) => ({
        groupVersion: `${name}/${version}`,
        version,
      }),
    );
    return { name, versions, preferredVersion: versions[0] };
  });
}

export interface Route {
  def: ResourceDef;
  namespace?: string;
  name?: string;
}

/** Maps a path to a resource route, a discovery document, or null. */
export function route(segments: string[]): Route | { discovery: unknown } | null {
  let group = "";
  let version: string;
  let rest: string[];
  if (segments[0] === "api") {
    if (segments.length === 1)
      return { discovery: { kind: "APIVersions", versions: ["v1"], serverAddressByClientCIDRs: [] } };
    version = segments[1] as string;
    if (version !== "v1") return null;
    rest = segments.slice(2);
    if (rest.length === 0)
      return {
        discovery: apiResourceList(
          "v1",
          RESOURCES.filter((r) => r.group === ""),
        ),
      };
  } else if (segments[0] === "apis") {
    if (segments.length === 1)
      return { discovery: { kind: "APIGroupList", apiVersion: "v1", groups: apiGroups() } };
    group = segments[1] as string;
    const g = apiGroups().find((x) => x.name === group);
    if (!g) return null;
    if (segments.length === 2) return { discovery: { kind: "APIGroup", apiVersion: "v1", ...g } };
    version = segments[2] as string;
    rest = segments.slice(3);
    if (rest.length === 0) {
      const defs = RESOURCES.filter((r) => r.group === group && r.version === version);
      return defs.length ? { discovery: apiResourceList(`${group}/${version}`, defs) } : null;
    }
  } else {
    return null;
  }
  // namespaces/{ns}/{resource}[/{name}] or {resource}[/{name}]
  if (rest[0] === "namespaces" && rest.length >= 3) {
    const def = findResource(group, version, rest[2] as string);
    if (!def?.namespaced || rest.length > 4) return null;
    return { def, namespace: rest[1], name: rest[3] };
  }
  const def = findResource(group, version, rest[0] as string);
  if (!def || rest.length > 2) return null;
  if (rest.length === 2 && def.namespaced) return null;
  return { def, name: rest[1] };
}
