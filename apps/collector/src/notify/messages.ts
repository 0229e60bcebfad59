// What a digest and an alert say, as plain text with Slack's mrkdwn emphasis (which email readers
// take as plain text too): the score and its change, new critical and high findings, the top
// actions, waivers expiring, and a link to the review; for an alert, the workloads that started
// failing to pull and why.
import { type ReviewScope, scopeKey } from "@pullsight/core";
import type { PullFailureAlert, WeeklyReview } from "@pullsight/db";

/** A message for every channel: a subject line (email) and a body (both). */
export interface Message {
  subject: string;
  text: string;
}

const scopeName = (scope: ReviewScope) => (scope.kind === "team" ? `team ${scope.team}` : "the fleet");
const link = (base: string | undefined, path: string) => (base ? `${base.replace(/\/$/, "")}${path}` : null);

/** Items shown before "and N more". */
const LISTED = 5;

export function digestMessage(review: WeeklyReview, scope: ReviewScope, dashboardUrl?: string): Message {
  const s = review.score;
  const score =
    s.current === null
      ? "no score yet"
      : `${s.current}%${s.delta === null ? "" : ` (${s.delta > 0 ? "+" : ""}${s.delta} pts since the week before)`}`;
  const severe = review.worse.severe;
  const lines = [
    `*Pullsight weekly digest for ${scopeName(scope)}, ${review.week}*`,
    `Score at the end of the week: ${score}`,
    "",
    `*New critical and high findings in production: ${review.worse.severeCount}*`,
    ...severe
      .slice(0, LISTED)
      .map(
        (g) =>
          `• ${g.severity} ${g.ruleId} ${g.image ?? "(no image)"}: ${g.findings} in ${g.workloads} workloads (${g.teams.join(", ")})`,
      ),
    ...(severe.length > LISTED ? [`• and ${severe.length - LISTED} more groups`] : []),
    "",
    `*Top actions*`,
    ...(review.actions.length
      ? review.actions
          .slice(0, 3)
          .map(
            (a) =>
              `• ${a.text} in ${a.workloads} workloads of team ${a.team} (resolves ${a.findings} findings)`,
          )
      : ["• none: no open finding asks for a change"]),
    "",
    `*Waivers expiring this week or next: ${review.waiversExpiring.length}*`,
    ...review.waiversExpiring
      .slice(0, LISTED)
      .map(
        (w) =>
          `• ${w.ruleId} on ${w.scope}, owner ${w.owner}, expires ${w.expiresAt.toISOString().slice(0, 10)}`,
      ),
  ];
  const review_ = link(
    dashboardUrl,
    `/review?week=${review.week}&scope=${encodeURIComponent(scopeKey(scope))}`,
  );
  if (review_) lines.push("", `Review and sign off: ${review_}`);
  return {
    subject: `Pullsight ${review.week}: ${scopeName(scope)} at ${s.current === null ? "no score" : `${s.current}%`}`,
    text: lines.join("\n"),
  };
}

export function alertMessage(
  failing: readonly PullFailureAlert[],
  scope: ReviewScope,
  dashboardUrl?: string,
): Message {
  const lines = [
    `*Pullsight: ${failing.length === 1 ? "a workload has" : `${failing.length} workloads have`} started failing to pull images (${scopeName(scope)})*`,
    ...failing.map((f) => {
      const where = `${f.cluster}/${f.namespace}/${f.workloadKind ?? "?"}/${f.workload ?? "?"}`;
      const url = f.workloadId === null ? null : link(dashboardUrl, `/workloads/${f.workloadId}`);
      return `• ${where} (team ${f.team}) since ${f.openedAt.toISOString().slice(0, 16).replace("T", " ")} UTC: ${f.message ?? f.image ?? ""}${url ? ` ${url}` : ""}`;
    }),
  ];
  const first = failing[0];
  const subject = `Pullsight: ${failing.length === 1 && first ? `${first.workload ?? "a workload"} in ${first.cluster}/${first.namespace} is` : `${failing.length} workloads are`} failing to pull`;
  return { subject, text: lines.join("\n") };
}
