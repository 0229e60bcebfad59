import { isoWeekOf, UNOWNED } from "@pullsight/core";
import type { Metadata } from "next";
import { type Action, Actions } from "~/components/review/actions.tsx";
import { FindingRows } from "~/components/review/finding-rows.tsx";
import { TeamGroups } from "~/components/review/team-groups.tsx";
import { WhatGotWorse } from "~/components/review/worse.tsx";
import { type Frozen, PrintButton, SignOff } from "~/components/sign-off.tsx";
import {
  button,
  card,
  DataTable,
  Delta,
  Empty,
  ExportLink,
  input,
  Link,
  link,
  muted,
  PageHeader,
  primaryButton,
  SEVERITIES,
  Section,
  SeverityBadge,
  Stat,
  tableWrap,
  td,
  tr,
} from "~/components/ui.tsx";
import { date, dateTime, num } from "~/lib/format.ts";
import { one, type SearchParams } from "~/lib/params.ts";
import { api } from "~/server/caller.ts";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Weekly review" };

type Caller = Awaited<ReturnType<typeof api>>;
type Review = Awaited<ReturnType<Caller["reviews"]["get"]>>;

const total = (s: Record<string, number>) => Object.values(s).reduce((a, b) => a + b, 0);
const scopeLabel = (scope: string) => (scope === "fleet" ? "the whole fleet" : scope.replace(":", " "));

export default async function ReviewPage({ searchParams }: { searchParams: SearchParams }) {
  const sp = await searchParams;
  const now = new Date();
  const lastWeek = isoWeekOf(new Date(now.getTime() - 7 * 86_400_000));
  const asked = /^\d{4}-W\d{2}$/.test(one(sp.week) ?? "") ? one(sp.week) : undefined;
  const scope = one(sp.scope) ?? "fleet";
  const caller = await api();
  const [scopes, me, past, review] = await Promise.all([
    caller.reviews.scopes(),
    caller.identity.me(),
    caller.reviews.list({ limit: 20 }),
    caller.reviews
      .get({ ...(asked ? { week: asked } : {}), scope })
      .catch((e: { code?: string; message?: string }) => {
        if (e.code === "BAD_REQUEST") return e.message ?? "bad request";
        throw e;
      }),
  ]);
  const week = typeof review === "string" ? (asked ?? lastWeek) : review.week;
  const weeks = typeof review === "string" ? [week] : review.weeks;
  const noData = !weeks.includes(week);
  const options = [
    "fleet",
    ...scopes.clusters.map((c) => `cluster:${c}`),
    ...scopes.teams.map((t) => `team:${t}`),
  ];
  if (!options.includes(scope)) options.push(scope);
  const canSign = me.role === "reviewer" || me.role === "admin";
  const current = typeof review === "string" ? scope : review.scope;

  return (
    <>
      <PageHeader
        title={`Weekly review ${week}`}
        subtitle={
          typeof review === "string"
            ? review
            : `${scope === "fleet" ? "The whole fleet" : scope.replace(":", " ")} · ${date(review.start)} to ${date(new Date(review.end.getTime() - 1))} (UTC)${review.inProgress ? " · in progress: figures so far" : ""}`
        }
        actions={
          <>
            <ExportLink href={`/api/export/review.csv?week=${week}&scope=${encodeURIComponent(current)}`}>
              Export CSV
            </ExportLink>
            <PrintButton />
            {typeof review !== "string" && (
              // The sign-off closes a long page: one Tab from the header instead of ninety.
              <a href="#h-sign-off" className={`${button} print:hidden`}>
                {review.signed ? "Signed off ↓" : "Sign off ↓"}
              </a>
            )}
          </>
        }
      />
      <form
        method="get"
        aria-label="Choose the week and scope"
        className="flex flex-wrap items-end gap-3 print:hidden"
      >
        <label className="flex flex-col gap-1 text-sm">
          <span className={muted}>Week</span>
          <select name="week" aria-label="Week" defaultValue={week} className={input}>
            {noData && <option value={week}>{week} (no data)</option>}
            {weeks.map((w, i) => (
              <option key={w} value={w}>
                {w}
                {i === 0 && w === isoWeekOf(now)
                  ? " (this week, in progress)"
                  : w === lastWeek
                    ? " (last week)"
                    : ""}
              </option>
            ))}
          </select>
        </label>
        <label className="flex flex-col gap-1 text-sm">
          <span className={muted}>Scope</span>
          <select name="scope" aria-label="Scope" defaultValue={current} className={input}>
            {options.map((s) => (
              <option key={s} value={s}>
                {s === "fleet"
                  ? "whole fleet"
                  : s === `team:${UNOWNED}`
                    ? "unowned namespaces"
                    : s.replace(":", " ")}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" className={primaryButton}>
          Show
        </button>
      </form>

      {typeof review === "string" ? (
        <Empty title="This review cannot be shown.">{review}</Empty>
      ) : (
        <ReviewBody review={review} canSign={canSign} sp={sp} caller={caller} />
      )}

      <PastReviews past={past} />
    </>
  );
}

async function ReviewBody({
  review,
  canSign,
  sp,
  caller,
}: {
  review: Review;
  canSign: boolean;
  sp: Awaited<SearchParams>;
  caller: Caller;
}) {
  const c = review.counts;
  const base = { week: review.week, scope: review.scope };
  const focus = one(sp.focus);
  const action = actionOf(sp);
  const actionRows = action
    ? await caller.reviews.rows({
        ...base,
        section: "open",
        team: action.team,
        ruleIds: action.ruleIds,
        image: action.image,
      })
    : null;
  const rowsHref = (a: Action) =>
    `/review?${new URLSearchParams({ ...base, act_team: a.team, act_rules: a.ruleIds.join(","), ...(a.image === null ? {} : { act_image: a.image }) })}#action-rows`;
  return (
    <>
      <WhatGotWorse
        worse={review.worse}
        week={review.week}
        teamHref={(team) => `/review?${new URLSearchParams({ week: review.week, scope: `team:${team}` })}`}
      />
      <dl className="grid grid-cols-2 gap-4 md:grid-cols-5">
        <Stat
          label="Score at week end"
          value={review.score.current === null ? "–" : `${review.score.current}%`}
          hint={<Delta value={review.score.delta} />}
        />
        <Stat
          label="Previous week"
          value={review.score.previous === null ? "–" : `${review.score.previous}%`}
        />
        <Stat label="New findings" value={num(total(c.new))} />
        <Stat label="Resolved" value={num(total(c.resolved))} />
        <Stat
          label="Open at week end"
          value={num(c.openAtEnd)}
          hint={`${num(total(c.ageing))} open for over 30 days`}
        />
      </dl>

      <Section title="Actions">
        <p className={`text-sm ${muted}`}>
          The changes that would resolve the most open findings at the week's end, weighted by severity.
        </p>
        <Actions actions={review.actions} rowsHref={rowsHref} />
        {action && actionRows && (
          <div id="action-rows" className="space-y-1">
            <h3 className="font-medium">
              Open findings of {action.ruleIds.join(", ")} on {action.image ?? "(no image)"} in team{" "}
              {action.team}
            </h3>
            {actionRows.length === 0 ? (
              <Empty title="None open at the week's end." />
            ) : (
              <FindingRows rows={actionRows} caption="The findings this action resolves" />
            )}
          </div>
        )}
      </Section>

      <SeverityTable counts={c} />
      {(["new", "resolved", "ageing"] as const).map((section) => (
        <Section key={section} title={`${SECTION_TITLES[section]} (${num(total(c[section]))})`}>
          <p className={`text-sm ${muted}`}>{SECTION_NOTES[section]}</p>
          <TeamGroups groups={review.groups[section]} section={section} focus={focus} {...base} />
        </Section>
      ))}
      <WaiversExpiring waivers={review.waiversExpiring} />
      <Section title="Sign-off">
        {review.signed ? (
          <div className={`${card} p-4 text-sm`} role="status">
            <p>
              <span className="font-medium">Signed off</span> by {review.signed.reviewer} (
              {review.signed.role}) on {dateTime(review.signed.signedAt)}.
            </p>
            {review.signed.notes && <p className="mt-2 whitespace-pre-wrap">{review.signed.notes}</p>}
            <p className={`mt-2 text-xs ${muted}`}>A signed review cannot be changed.</p>
          </div>
        ) : (
          <SignOff
            week={review.week}
            scope={review.scope}
            scopeLabel={scopeLabel(review.scope)}
            canSign={canSign}
            inProgress={review.inProgress}
            frozen={frozenOf(review)}
          />
        )}
      </Section>
    </>
  );
}

const SECTION_TITLES = { new: "New findings", resolved: "Resolved findings", ageing: "Ageing findings" };
const SECTION_NOTES = {
  new: "First seen this week, by team, rule and image. Open a group to see its findings.",
  resolved: "Resolved this week, grouped the same way.",
  ageing: "Open at the week's end and for more than 30 days since their condition began.",
};

/** The action whose rows the URL asks for. */
function actionOf(sp: Awaited<SearchParams>) {
  const team = one(sp.act_team);
  const ruleIds = (one(sp.act_rules) ?? "").split(",").filter((r) => /^PS\d{3}$/.test(r));
  if (!team || !ruleIds.length) return null;
  return { team, ruleIds: ruleIds.slice(0, 20), image: one(sp.act_image) ?? null };
}

function frozenOf(review: Review): Frozen {
  const s = review.score;
  return {
    score: s.current === null ? "no score" : `${s.current}%`,
    change: s.delta === null ? "no previous week" : `${s.delta > 0 ? "+" : ""}${s.delta} pts`,
    newFindings: total(review.counts.new),
    resolved: total(review.counts.resolved),
    ageing: total(review.counts.ageing),
    openAtEnd: review.counts.openAtEnd,
    actions: review.actions.length,
    waiversExpiring: review.waiversExpiring.length,
  };
}

function SeverityTable({ counts: c }: { counts: Review["counts"] }) {
  return (
    <div className={tableWrap}>
      <DataTable
        caption="Findings this week by severity"
        columns={["Severity", ["New", "right"], ["Resolved", "right"], ["Ageing (> 30 days)", "right"]]}
      >
        <tbody>
          {SEVERITIES.map((s) => (
            <tr key={s} className={tr}>
              <th scope="row" className={`${td} font-normal`}>
                <SeverityBadge severity={s} />
              </th>
              <td className={`${td} text-right tabular-nums`}>{num(c.new[s])}</td>
              <td className={`${td} text-right tabular-nums`}>{num(c.resolved[s])}</td>
              <td className={`${td} text-right tabular-nums`}>{num(c.ageing[s])}</td>
            </tr>
          ))}
        </tbody>
      </DataTable>
    </div>
  );
}

function WaiversExpiring({ waivers }: { waivers: Review["waiversExpiring"] }) {
  return (
    <Section title="Waivers expiring this week or next">
      {waivers.length === 0 ? (
        <Empty title="No waiver expires this week or next." />
      ) : (
        <ul className={`${card} divide-y divide-slate-100 text-sm dark:divide-slate-800`}>
          {waivers.map((w) => (
            <li key={w.id} className="px-3 py-2">
              <span className="font-medium">{w.ruleId}</span> on {w.scope} · owner {w.owner} · expires{" "}
              {date(w.expiresAt)}
              <span className={`block text-xs ${muted}`}>{w.reason}</span>
            </li>
          ))}
        </ul>
      )}
    </Section>
  );
}

function PastReviews({ past }: { past: Awaited<ReturnType<Caller["reviews"]["list"]>> }) {
  return (
    <Section title="Past reviews">
      {past.length === 0 ? (
        <Empty title="No review has been signed yet." />
      ) : (
        <div className={tableWrap}>
          <DataTable
            caption="Signed reviews, newest week first"
            columns={["Week", "Scope", "Signed by", "Signed at", "Notes"]}
          >
            <tbody>
              {past.map((r) => (
                <tr key={r.id} className={tr}>
                  <th scope="row" className={`${td} font-medium`}>
                    <Link
                      href={`/review?week=${r.week}&scope=${encodeURIComponent(r.scope)}`}
                      className={link}
                    >
                      {r.week}
                    </Link>
                  </th>
                  <td className={td}>{r.scope}</td>
                  <td className={td}>
                    {r.reviewer} <span className={`text-xs ${muted}`}>({r.role})</span>
                  </td>
                  <td className={`${td} whitespace-nowrap`}>{dateTime(r.signedAt)}</td>
                  <td className={`${td} max-w-md text-xs`}>
                    {r.notes || <span className={muted}>none</span>}
                  </td>
                </tr>
              ))}
            </tbody>
          </DataTable>
        </div>
      )}
    </Section>
  );
}
