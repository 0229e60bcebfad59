// Waivers: accepted exceptions. A waiver names a rule and a scope (cluster, namespace, workload,
// image pattern; every field left out matches anything) and always expires. A finding it matches
// is reported as waived, and does not count against compliance, until the waiver expires or is
// revoked. The same matching runs in the collector (scores) and, as SQL, in the queries.
import { globMatches } from "./profiles.ts";
import type { ContainerSubject } from "./types.ts";

export interface WaiverScope {
  ruleId: string;
  cluster?: string | null;
  namespace?: string | null;
  workloadKind?: string | null;
  workloadName?: string | null;
  /** `*` matches any run of characters; everything else is literal. */
  imagePattern?: string | null;
}

export interface WaiverTerm {
  expiresAt: Date;
  revokedAt?: Date | null;
}

/** In force at `at`: not revoked (by then) and not yet expired. */
export function isWaiverActive(w: WaiverTerm, at: Date): boolean {
  return w.expiresAt.getTime() > at.getTime() && (!w.revokedAt || w.revokedAt.getTime() > at.getTime());
}

/** Whether the waiver covers a finding of `ruleId` on `subject` running `image`. */
export function waiverMatches(
  w: WaiverScope,
  finding: {
    ruleId: string;
    subject: Pick<ContainerSubject, "cluster" | "namespace" | "kind" | "name">;
    image: string;
  },
): boolean {
  const { subject } = finding;
  return (
    w.ruleId === finding.ruleId &&
    (w.cluster == null || w.cluster === subject.cluster) &&
    (w.namespace == null || w.namespace === subject.namespace) &&
    (w.workloadKind == null || w.workloadKind === subject.kind) &&
    (w.workloadName == null || w.workloadName === subject.name) &&
    (w.imagePattern == null || globMatches(w.imagePattern, finding.image))
  );
}

/**
 * The glob as a SQL LIKE pattern with backslash as the escape character (PostgreSQL's default):
 * `*` becomes `%`, and `%`, `_` and `\` are escaped, so SQL matches exactly what globMatches does.
 */
export function globToLike(pattern: string): string {
  let out = "";
  for (const ch of pattern) {
    if (ch === "*") out += "%";
    else if (ch === "%" || ch === "_" || ch === "\\") out += `\\${ch}`;
    else out += ch;
  }
  return out;
}
