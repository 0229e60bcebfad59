import { isoWeekOf } from "@pullsight/core";
import type { Metadata } from "next";
import { WorkloadCell } from "~/components/cells.tsx";
import { GROUP_LINES_SHOWN } from "~/components/findings/grouped-findings.tsx";
import { PrintButton, SignOff } from "~/components/sign-off.tsx";
import {
  card,
  Delta,
  Empty,
  ExportLink,
  Head,
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
  table,
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

export default async function ReviewPage({ searchParams }: { searchParams: SearchParams }) {
  const sp = await searchParams;
  const now = new Date();
  const weeks = Array.from({ length: 12 }, (_, i) => isoWeekOf(new Date(now.getTime() - i * 7 * 86_400_000)));
  const week = /^\d{4}-W\d{2}$/.test(one(sp.week) ?? "") ? (one(sp.week) as string) : (weeks[1] as string);
  const scope = one(sp.scope) ?? "fleet";
  const caller = await api();
  const [fleet, me] = await Promise.all([caller.fleet.overview(), caller.identity.me()]);
  const [review, past] = await Promise.all([
    caller.reviews.get({ week, scope }).catch((e: { code?: string; message?: string }) => {
      if (e.code === "BAD_REQUEST") return e.message ?? "bad request";
      throw e;
    }),
    caller.reviews.list({ limit: 20 }),
  ]);
  const scopes = ["fleet", ...fleet.clusters.map((c) => `cluster:${c.name}`)];
  if (!scopes.includes(scope)) scopes.push(scope);
  const canSign = me.role === "reviewer" || me.role === "admin";

  return (
    <>
      <PageHeader
        title={`Weekly review ${week}`}
        subtitle={
          typeof review === "string"
            ? review
            : `${scope === "fleet" ? "The whole fleet" : scope.replace(":", " ")} · ${date(review.start)} to ${date(new Date(review.end.getTime() - 1))} (UTC)${review.inProgress ? " · in progress" : ""}`
        }
        actions={
          <>
            <ExportLink href={`/api/export/review.csv?week=${week}&scope=${encodeURIComponent(scope)}`}>
              Export CSV
            </ExportLink>
            <PrintButton />
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
            {weeks.map((w, i) => (
              <option key={w} value={w}>
                {w}
                {i === 0 ? " (this week)" : i === 1 ? " (last week)" : ""}
              </option>
            ))}
            {!weeks.includes(week) && <option value={week}>{week}</option>}
          </select>
        </label>
        <label className="flex flex-col gap-1 text-sm">
          <span className={muted}>Scope</span>
          <select name="scope" aria-label="Scope" defaultValue={scope} className={input}>
            {scopes.map((s) => (
              <option key={s} value={s}>
                {s === "fleet" ? "whole fleet" : s.replace(":", " ")}
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
        <ReviewBody review={review} canSign={canSign} />
      )}

      <Section title="Past reviews">
        {past.length === 0 ? (
          <Empty title="No review has been signed yet." />
        ) : (
          <div className={tableWrap}>
            <table className={table}>
              <caption className="sr-only">Signed reviews, newest week first</caption>
              <Head columns={["Week", "Scope", "Signed by", "Signed at", "Notes"]} />
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
            </table>
          </div>
        )}
      </Section>
    </>
  );
}

function ReviewBody({ review, canSign }: { review: Review; canSign: boolean }) {
  const c = review.counts;
  const total = (s: Record<string, number>) => Object.values(s).reduce((a, b) => a + b, 0);
  return (
    <>
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

      <div className={tableWrap}>
        <table className={table}>
          <caption className="sr-only">Findings this week by severity</caption>
          <Head
            columns={["Severity", ["New", "right"], ["Resolved", "right"], ["Ageing (> 30 days)", "right"]]}
          />
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
        </table>
      </div>

      <FindingList
        title="New findings"
        rows={review.newFindings}
        groups={review.grouped.new}
        total={total(c.new)}
      />
      <FindingList
        title="Resolved findings"
        rows={review.resolvedFindings}
        groups={review.grouped.resolved}
        total={total(c.resolved)}
      />
      <FindingList
        title="Ageing findings"
        rows={review.ageingFindings}
        groups={review.grouped.ageing}
        total={total(c.ageing)}
      />

      <Section title="Waivers expiring this week or next">
        {review.waiversExpiring.length === 0 ? (
          <Empty title="No waiver expires this week or next." />
        ) : (
          <ul className={`${card} divide-y divide-slate-100 text-sm dark:divide-slate-800`}>
            {review.waiversExpiring.map((w) => (
              <li key={w.id} className="px-3 py-2">
                <span className="font-medium">{w.ruleId}</span> on {w.scope} · owner {w.owner} · expires{" "}
                {date(w.expiresAt)}
                <span className={`block text-xs ${muted}`}>{w.reason}</span>
              </li>
            ))}
          </ul>
        )}
      </Section>

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
          <SignOff week={review.week} scope={review.scope} canSign={canSign} inProgress={review.inProgress} />
        )}
      </Section>
    </>
  );
}

const SHOWN = 25;
const SEVERITY_RANK: Record<string, number> = { critical: 0, high: 1, medium: 2, low: 3, info: 4 };

/** The most severe (then oldest) findings of a list; the CSV export has every one. */
function FindingList({
  title,
  rows: all,
  groups,
  total,
}: {
  title: string;
  rows: Review["newFindings"];
  groups: Review["grouped"]["new"];
  total: number;
}) {
  const grouped = groups.reduce((n, g) => n + g.findings, 0);
  const rows = [...all]
    .sort(
      (a, b) => (SEVERITY_RANK[a.severity] ?? 9) - (SEVERITY_RANK[b.severity] ?? 9) || b.ageDays - a.ageDays,
    )
    .slice(0, SHOWN);
  return (
    <Section title={`${title} (${num(total)})`}>
      {groups.length > 0 && <GroupLines groups={groups} total={grouped} />}
      {rows.length === 0 ? (
        groups.length > 0 ? null : (
          <Empty title="None." />
        )
      ) : (
        <div className={tableWrap}>
          <table className={table}>
            <caption className="sr-only">{title}</caption>
            <Head columns={["Severity", "Rule", "Workload", "Image", ["Age (days)", "right"]]} />
            <tbody>
              {rows.map((f) => (
                <tr key={String(f.id)} className={tr}>
                  <td className={td}>
                    <SeverityBadge severity={f.severity} />
                  </td>
                  <th scope="row" className={`${td} font-medium`}>
                    {f.ruleId}
                    {f.waived && <span className={`ml-1 text-xs font-normal ${muted}`}>(waived)</span>}
                  </th>
                  <WorkloadCell
                    id={f.workloadId}
                    name={f.workload}
                    cluster={f.cluster}
                    namespace={f.namespace}
                    detail={f.container}
                  />
                  <td className={`${td} break-all font-mono text-xs`}>{f.image ?? "–"}</td>
                  <td className={`${td} text-right tabular-nums`}>{num(f.ageDays)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {rows.length < total - grouped && (
            <p className={`px-3 py-2 text-xs ${muted}`}>
              Showing the {num(rows.length)} most severe of {num(total - grouped)}; the CSV export has them
              all.
            </p>
          )}
        </div>
      )}
    </Section>
  );
}

/** Rules that fire on most containers (PS005): one line per namespace with a count, rows on demand. */
function GroupLines({ groups, total }: { groups: Review["grouped"]["new"]; total: number }) {
  const ruleIds = [...new Set(groups.map((g) => g.ruleId))];
  const rules = ruleIds.join(", ");
  return (
    <details className="mb-2 text-sm">
      <summary className="cursor-pointer">
        {num(total)} {rules} findings in {num(groups.length)} namespace{groups.length === 1 ? "" : "s"}{" "}
        <span className={muted}>(grouped: the rule fires on most containers)</span>
      </summary>
      <ul className="mt-1 space-y-1 pl-4">
        {groups.slice(0, GROUP_LINES_SHOWN).map((g) => (
          <li key={`${g.ruleId}/${g.cluster}/${g.namespace}`}>
            <Link
              href={`/findings?${new URLSearchParams({ ruleId: g.ruleId, cluster: g.cluster, namespace: g.namespace })}`}
              className={link}
            >
              {g.cluster}/{g.namespace}
            </Link>{" "}
            <span className={muted}>
              {g.ruleId}: {num(g.findings)}
            </span>
          </li>
        ))}
      </ul>
      {groups.length > GROUP_LINES_SHOWN && (
        <p className={`mt-1 pl-4 ${muted}`}>
          and {num(groups.length - GROUP_LINES_SHOWN)} more namespaces with fewer:{" "}
          {ruleIds.map((id, i) => (
            <span key={id}>
              {i > 0 && ", "}
              <Link href={`/findings?${new URLSearchParams({ ruleId: id })}`} className={link}>
                every open {id} finding
              </Link>
            </span>
          ))}
        </p>
      )}
    </details>
  );
}
