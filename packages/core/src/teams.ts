// Which team owns a namespace, and so its workloads, containers and findings: an override from
// the profiles file when one matches, else the first configured key found among the namespace's
// labels, then its annotations. A namespace none of them names is unowned, which is shown as a
// value of its own so that unowned work is visible rather than blank.

/** Keys read for a namespace's owner, in order, when the profiles file names none. */
export const DEFAULT_OWNER_KEYS = ["team", "owner", "app.kubernetes.io/part-of"] as const;

/**
 * What an unowned namespace shows and exports as, and the team scope that selects them. Its
 * parentheses cannot occur in a label value, so no team can share the name.
 */
export const UNOWNED = "(unowned)";

/** Where an owner came from: a profiles-file override, or a label or annotation with its key. */
export type OwnerSource = "override" | `label:${string}` | `annotation:${string}`;

export interface Ownership {
  /** The team, normalised (see normalizeTeam); null when nothing names one. */
  owner: string | null;
  source: OwnerSource | null;
}

/**
 * Team names compare as written by people: surrounding and repeated whitespace is dropped and
 * case is folded, so `Payments ` and `payments` are one team. Empty text names no team.
 */
export function normalizeTeam(value: string): string | null {
  const team = value.trim().replace(/\s+/g, " ").toLowerCase();
  return team && team !== UNOWNED ? team : null;
}

/** The team a scope's text names: `(unowned)` stays itself, anything else is normalised. */
export function teamOfScope(value: string): string | null {
  return value.trim().toLowerCase() === UNOWNED ? UNOWNED : normalizeTeam(value);
}

/** A namespace's owner from its labels and annotations, keys tried in order (labels first per key). */
export function ownerFromMetadata(
  keys: readonly string[],
  labels: Readonly<Record<string, string>>,
  annotations: Readonly<Record<string, string>>,
): Ownership {
  for (const key of keys) {
    const fromLabel = typeof labels[key] === "string" ? normalizeTeam(labels[key]) : null;
    if (fromLabel) return { owner: fromLabel, source: `label:${key}` };
    const fromAnnotation = typeof annotations[key] === "string" ? normalizeTeam(annotations[key]) : null;
    if (fromAnnotation) return { owner: fromAnnotation, source: `annotation:${key}` };
  }
  return { owner: null, source: null };
}

/** The owner as shown in tables, filters and exports. */
export const ownerLabel = (owner: string | null | undefined): string => owner ?? UNOWNED;
