// How a finding lives: it opens when a snapshot sees its condition, stays the same finding (same
// id, same opened time) while the condition holds, and resolves once the condition has been gone
// long enough. Rules that read runtime data (pod status, pull events, running digests, node
// placement) see conditions that come and go between snapshots: a pod restarts, a registry has a
// bad hour, a rollout briefly runs two digests. Without hysteresis each blip would open and resolve
// a new finding, and a weekly review could not tell a new problem from noise.

/** When a rule's finding opens and resolves, as the rule catalogue states it. */
export interface FindingLifecycle {
  /**
   * Hours the condition must stay gone, in snapshots that could evaluate the rule on the subject,
   * before the finding resolves. 0: the first such snapshot resolves it. A condition that returns
   * within the window continues the same finding.
   */
  resolveAfterHours: number;
  /** When the finding opens, in words. */
  opens: string;
  /** When the finding resolves, in words. */
  resolves: string;
}

/**
 * Hours a runtime condition must stay gone before its finding resolves: a week, the period a
 * review reads, so a condition that recurs within the week a reviewer looks at is the same problem
 * (tags move again, registries have their bad hours again), not a new finding.
 */
export const RUNTIME_RESOLVE_HOURS = 7 * 24;

/** Spec rules read the manifest, which does not flicker: the first snapshot without the condition resolves. */
export const SPEC_LIFECYCLE: FindingLifecycle = {
  resolveAfterHours: 0,
  opens: "at the first snapshot whose spec shows the condition",
  resolves: "at the first snapshot that read the workload and the rule's inputs and no longer shows it",
};

/**
 * A runtime rule's lifecycle: opens at once, resolves after `hours` (a week unless the rule says
 * why its condition recurs on a longer cycle) without the condition.
 */
export function runtimeLifecycle(opens: string, hours = RUNTIME_RESOLVE_HOURS, why = ""): FindingLifecycle {
  const span = hours % 24 === 0 ? `${hours / 24} days` : `${hours} hours`;
  return {
    resolveAfterHours: hours,
    opens,
    resolves: `after the condition has been absent for ${span} in every snapshot that could see it (the finding shows "clearing" meanwhile); if it comes back within that window the same finding continues${why ? ` (${why})` : ""}`,
  };
}

/**
 * What one snapshot says about an open finding's subject and rule:
 * - present: the rule fired;
 * - absent: the rule was evaluated on the subject (every input read) and did not fire;
 * - unknown: the snapshot could not evaluate it (a kind or an input was not read);
 * - gone: the subject (its workload) no longer exists.
 */
export type Observation = "present" | "absent" | "unknown" | "gone";

/** What the writer does with an open finding. */
export type LifecycleAction =
  /** Still true (and was not clearing). */
  | "confirm"
  /** True again while clearing: the same finding continues. */
  | "continue"
  /** First snapshot without the condition: clearing starts now. */
  | "start-clearing"
  /** Nothing to write (clearing within its window, or nothing known). */
  | "hold"
  | "resolve";

export interface LifecycleStep {
  action: LifecycleAction;
  /** The finding's clearingSince after this step (null when it is not clearing or is resolved). */
  clearingSince: Date | null;
}

/** The next state of an open finding, given what a snapshot at `at` observed. */
export function stepOpenFinding(
  clearingSince: Date | null,
  observation: Observation,
  at: Date,
  lifecycle: Pick<FindingLifecycle, "resolveAfterHours">,
): LifecycleStep {
  switch (observation) {
    case "present":
      return { action: clearingSince ? "continue" : "confirm", clearingSince: null };
    case "unknown":
      return { action: "hold", clearingSince };
    case "gone":
      return { action: "resolve", clearingSince: null };
    case "absent": {
      const windowMs = lifecycle.resolveAfterHours * 3_600_000;
      const since = clearingSince ?? at;
      if (at.getTime() - since.getTime() >= windowMs) return { action: "resolve", clearingSince: null };
      return { action: clearingSince ? "hold" : "start-clearing", clearingSince: since };
    }
  }
}
