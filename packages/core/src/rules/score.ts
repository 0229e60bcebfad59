// One definition of compliance and grades, used by the collector's rollups, the API and the UI,
// and printed in RULES.md.
import { type Severity, severityRank } from "./types.ts";

/** Findings at or above this severity make a container non-compliant (unless waived). */
export const COMPLIANCE_THRESHOLD: Severity = "medium";

export type Grade = "A" | "B" | "C" | "D" | "F";
export const GRADE_FLOORS: ReadonlyArray<readonly [Grade, number]> = [
  ["A", 90],
  ["B", 80],
  ["C", 70],
  ["D", 60],
  ["F", 0],
];

/** A container is compliant when none of its open, unwaived findings reaches the threshold. */
export function isCompliant(
  findings: ReadonlyArray<{ severity: Severity; waived?: boolean }>,
  threshold: Severity = COMPLIANCE_THRESHOLD,
): boolean {
  return !findings.some((f) => !f.waived && severityRank(f.severity) >= severityRank(threshold));
}

/** Percentage of compliant containers (0–100, one decimal), or null when there are none. */
export function complianceScore(compliant: number, total: number): number | null {
  if (total <= 0) return null;
  return Math.round((Math.min(compliant, total) / total) * 1000) / 10;
}

/** Letter grade of a score: A ≥ 90, B ≥ 80, C ≥ 70, D ≥ 60, F below; null without a score. */
export function gradeFor(score: number | null): Grade | null {
  if (score === null || Number.isNaN(score)) return null;
  for (const [grade, floor] of GRADE_FLOORS) if (score >= floor) return grade;
  return "F";
}
