// Filters shared by the workloads, inventory and findings queries: which clusters (by name, several
// names, or a label selector such as env=prod), and facts of a container as stored (tag kind,
// pull policy and its source, registry, visibility) rather than findings, whose rules depend on
// each namespace's profile. An auditor's "every production container not pinned by digest" is
// `clusterLabel: "env=prod", tagKind: "not-digest"`, whatever the profiles say.
import { UNOWNED } from "@pullsight/core";
import { Prisma } from "../generated/prisma/client.ts";

export interface ClusterFilter {
  cluster?: string;
  /** Any of these clusters. */
  clusters?: string[];
  /** Cluster labels that must all match: "key=value,key=value". */
  clusterLabel?: string;
}

/** Tag kinds as stored, plus "not-digest": every kind but digest-pinned. */
export const NOT_DIGEST = "not-digest";

export interface ContainerFactFilter {
  policy?: string;
  policySource?: string;
  tagKind?: string;
  registry?: string;
  /** public | private */
  visibility?: string;
}

/** "env=prod,tier=1" as a label map; a malformed selector is an InvalidFilterError. */
export function parseLabelSelector(selector: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of selector.split(",")) {
    const at = part.indexOf("=");
    const key = part.slice(0, at).trim();
    if (at <= 0 || !key) throw new InvalidFilterError(`"${part}" is not a label as key=value`);
    out[key] = part.slice(at + 1).trim();
  }
  return out;
}

export class InvalidFilterError extends Error {}

/**
 * The team owning a row's namespace, as shown ("(unowned)" when none; core teams.ts): `alias` names
 * a table with "clusterId" and a namespace column.
 */
export function ownerOf(alias: string, namespace = "namespace"): Prisma.Sql {
  const a = Prisma.raw(alias);
  const ns = Prisma.raw(namespace);
  return Prisma.sql`COALESCE((SELECT o.owner FROM "Namespace" o WHERE o."clusterId" = ${a}."clusterId" AND o.name = ${a}.${ns}), ${UNOWNED})`;
}

/** Rows in namespaces `team` owns (`(unowned)`: namespaces nobody owns). */
export function teamCondition(team: string, alias: string, namespace = "namespace"): Prisma.Sql {
  const a = Prisma.raw(alias);
  const ns = Prisma.raw(namespace);
  return team === UNOWNED
    ? Prisma.sql`NOT EXISTS (SELECT 1 FROM "Namespace" o WHERE o."clusterId" = ${a}."clusterId" AND o.name = ${a}.${ns} AND o.owner IS NOT NULL)`
    : Prisma.sql`EXISTS (SELECT 1 FROM "Namespace" o WHERE o."clusterId" = ${a}."clusterId" AND o.name = ${a}.${ns} AND o.owner = ${team})`;
}

/** Conditions over `c` (Cluster). */
export function clusterConditions(f: ClusterFilter): Prisma.Sql[] {
  const parts: Prisma.Sql[] = [];
  if (f.cluster) parts.push(Prisma.sql`c.name = ${f.cluster}`);
  if (f.clusters?.length) parts.push(Prisma.sql`c.name = ANY(${f.clusters}::text[])`);
  if (f.clusterLabel)
    parts.push(Prisma.sql`c.labels @> ${JSON.stringify(parseLabelSelector(f.clusterLabel))}::jsonb`);
  return parts;
}

/** Conditions over a ContainerFact aliased `alias`. */
export function factConditions(f: ContainerFactFilter, alias = "cf"): Prisma.Sql[] {
  const a = Prisma.raw(alias);
  const parts: Prisma.Sql[] = [];
  if (f.policy) parts.push(Prisma.sql`${a}."imagePullPolicy" = ${f.policy}`);
  if (f.policySource) parts.push(Prisma.sql`${a}."policySource" = ${f.policySource}`);
  if (f.tagKind === NOT_DIGEST) parts.push(Prisma.sql`${a}."tagKind" <> 'digest'`);
  else if (f.tagKind) parts.push(Prisma.sql`${a}."tagKind" = ${f.tagKind}`);
  if (f.registry) parts.push(Prisma.sql`${a}.registry = ${f.registry}`);
  if (f.visibility) parts.push(Prisma.sql`${a}."registryVisibility" = ${f.visibility}`);
  return parts;
}

const hasFactFilter = (f: ContainerFactFilter) =>
  !!(f.policy || f.policySource || f.tagKind || f.registry || f.visibility);

/**
 * The container facts of `alias` valid at `asOf` (current when absent): validity bounds over a
 * ContainerFact row.
 */
export function factValidAt(asOf: Date | undefined, alias = "cf"): Prisma.Sql {
  const a = Prisma.raw(alias);
  return asOf
    ? Prisma.sql`${a}."validFrom" <= ${asOf} AND (${a}."validTo" IS NULL OR ${a}."validTo" > ${asOf})`
    : Prisma.sql`${a}."validTo" IS NULL`;
}

/**
 * For findings `f`: its container's facts (valid at `asOf`, else current) match the filter.
 * Nothing when the filter has no fact condition.
 */
export function findingFactCondition(f: ContainerFactFilter, asOf?: Date): Prisma.Sql[] {
  if (!hasFactFilter(f)) return [];
  return [
    Prisma.sql`EXISTS (SELECT 1 FROM "ContainerFact" cf WHERE cf."workloadId" = f."workloadId"
      AND cf."containerName" = f."containerName" AND ${factValidAt(asOf)} AND ${Prisma.join(factConditions(f), " AND ")})`,
  ];
}

/** Finding `alias` was open at `asOf` (first seen by then, not resolved by then); open now when absent. */
export function findingOpenAt(asOf: Date | undefined, alias = "f"): Prisma.Sql {
  const a = Prisma.raw(alias);
  return asOf
    ? Prisma.sql`COALESCE(${a}."firstSeenAt", ${a}."openedAt") <= ${asOf} AND (${a}."resolvedAt" IS NULL OR ${a}."resolvedAt" > ${asOf})`
    : Prisma.sql`${a}."resolvedAt" IS NULL`;
}
