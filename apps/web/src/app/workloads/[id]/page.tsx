import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { BarsChart } from "~/components/charts.tsx";
import { YamlSnippet } from "~/components/copy-button.tsx";
import {
  card,
  Empty,
  Head,
  Link,
  link,
  muted,
  PageHeader,
  Section,
  SeverityBadge,
  table,
  tableWrap,
  td,
  tr,
  Warning,
} from "~/components/ui.tsx";
import { WaiveForm } from "~/components/waive-form.tsx";
import { concreteFix } from "~/lib/fix.ts";
import { date, dateTime, ms, num } from "~/lib/format.ts";
import { api } from "~/server/caller.ts";

export const dynamic = "force-dynamic";

type Params = Promise<{ id: string }>;
const EVENTS_SHOWN = 50;
type Caller = Awaited<ReturnType<typeof api>>;
type Detail = Awaited<ReturnType<Caller["workloads"]["detail"]>>;

async function load(id: string): Promise<Detail> {
  if (!/^\d{1,18}$/.test(id) || id === "0") notFound();
  return (await api()).workloads.detail({ id: BigInt(id) }).catch((e: { code?: string }) => {
    if (e.code === "NOT_FOUND") notFound();
    throw e;
  });
}

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  const d = await load((await params).id);
  return { title: `${d.workload.namespace}/${d.workload.name}` };
}

export default async function WorkloadPage({ params }: { params: Params }) {
  const d = await load((await params).id);
  const caller = await api();
  const me = await caller.meta.me();
  const w = d.workload;
  const canWaive = me.role === "reviewer" || me.role === "admin";
  const open = d.findings.filter((f) => !f.resolvedAt);
  const resolved = d.findings.filter((f) => f.resolvedAt);
  const container = (name: string | null) => d.containers.find((c) => c.name === name);
  const runningDigest = (name: string | null) => {
    const digests = d.running.find((r) => r.container === name)?.digests.filter((x) => x.digest) ?? [];
    return digests.length === 1 ? (digests[0]?.digest ?? null) : null;
  };

  return (
    <>
      <nav aria-label="Breadcrumb" className={`text-sm ${muted}`}>
        <Link href="/" className={link}>
          Fleet
        </Link>{" "}
        /{" "}
        <Link href={`/clusters/${encodeURIComponent(w.cluster)}`} className={link}>
          {w.cluster}
        </Link>{" "}
        /{" "}
        <Link
          href={`/workloads?cluster=${encodeURIComponent(w.cluster)}&namespace=${encodeURIComponent(w.namespace)}`}
          className={link}
        >
          {w.namespace}
        </Link>
      </nav>
      <PageHeader
        title={
          <>
            {w.name} <span className={`text-base font-normal ${muted}`}>{w.kind}</span>
          </>
        }
        subtitle={`First seen ${dateTime(w.firstSeenAt)} · last changed ${dateTime(w.lastChangedAt)}${w.serviceAccount ? ` · service account ${w.serviceAccount}` : ""}`}
      />
      {w.deletedAt && (
        <Warning>
          This workload was deleted on {dateTime(w.deletedAt)}; what follows is its last known state.
        </Warning>
      )}

      <Section title="Containers">
        <div className="grid gap-4 md:grid-cols-2">
          {d.containers.map((c) => (
            <article key={c.name} className={`${card} p-4`} aria-labelledby={`c-${c.name}`}>
              <h3 id={`c-${c.name}`} className="font-medium">
                {c.name}{" "}
                {c.type !== "container" && (
                  <span className={`text-xs font-normal ${muted}`}>{c.type} container</span>
                )}
              </h3>
              <p className="mt-1 break-all font-mono text-xs">{c.image}</p>
              <dl className="mt-3 grid grid-cols-[max-content_1fr] gap-x-4 gap-y-1 text-sm">
                <dt className={muted}>Registry</dt>
                <dd className="font-mono text-xs">
                  {c.registry} <span className={muted}>({c.registryVisibility})</span>
                  {c.registryVisibility === "unknown" && (
                    <p className={`mt-1 font-sans ${muted}`}>
                      Not a well-known public registry, nor one that always needs credentials. Declare it
                      under <code>publicRegistries</code> or <code>privateRegistries</code> in the profile's
                      settings (see{" "}
                      <Link href="/rules#visibility" className={link}>
                        registry visibility
                      </Link>
                      ).
                    </p>
                  )}
                </dd>
                <dt className={muted}>Repository</dt>
                <dd className="break-all font-mono text-xs">{c.repository}</dd>
                <dt className={muted}>Tag</dt>
                <dd className="font-mono text-xs">
                  {c.tag ?? <span className={muted}>none</span>} <span className={muted}>({c.tagKind})</span>
                </dd>
                <dt className={muted}>Digest</dt>
                <dd className="break-all font-mono text-xs">
                  {c.digest ?? <span className={muted}>not pinned</span>}
                </dd>
                <dt className={muted}>Pull policy</dt>
                <dd>
                  <span className="font-medium">{c.imagePullPolicy}</span>{" "}
                  <span className={muted}>({c.policySource})</span>
                  <span className={`block text-xs ${muted}`}>{c.policyEvidence}</span>
                </dd>
                <dt className={muted}>Pull secrets</dt>
                <dd>
                  {c.pullSecrets.length ? c.pullSecrets.join(", ") : <span className={muted}>none</span>}
                </dd>
                <dt className={muted}>Since</dt>
                <dd>{dateTime(c.since)}</dd>
              </dl>
            </article>
          ))}
        </div>
      </Section>

      <Section title={`Open findings (${open.length})`}>
        {open.length === 0 ? (
          <Empty title="No open findings: every container of this workload passes the rules." />
        ) : (
          <ul className="space-y-4">
            {open.map((f, index) => {
              const c = container(f.container);
              const yaml = concreteFix(f.fixYaml, {
                container: f.container,
                ...(c ? { registry: c.registry, repository: c.repository } : {}),
                runningDigest: runningDigest(f.container),
              });
              return (
                <li key={String(f.id)} className={`${card} p-4`}>
                  <article aria-labelledby={`f-${f.id}`}>
                    <div className="flex flex-wrap items-center gap-2">
                      <SeverityBadge severity={f.severity} />
                      <h3 id={`f-${f.id}`} className="font-medium">
                        {f.ruleId} {f.title}
                      </h3>
                      {f.waived && (
                        <span className="rounded bg-slate-200 px-1.5 py-0.5 text-xs dark:bg-slate-700">
                          waived
                        </span>
                      )}
                    </div>
                    <p className={`mt-1 text-sm ${muted}`}>
                      {f.container ? `Container ${f.container}` : "Workload"} · open since{" "}
                      {dateTime(f.openedAt)}
                      {f.openedFrom !== "snapshot" ? ` (from ${f.openedFrom})` : ""}
                      {f.clearingSince
                        ? ` · clearing: not seen since ${dateTime(f.clearingSince)}`
                        : f.confirmedAt
                          ? ` · confirmed ${dateTime(f.confirmedAt)}`
                          : ""}
                      {f.evidenceSince && f.evidenceSince > f.openedAt
                        ? ` · evidence as of ${dateTime(f.evidenceSince)}`
                        : ""}
                    </p>
                    <p className="mt-2 text-sm">{f.message}</p>
                    <details className="mt-2 print:block" open={index === 0}>
                      <summary className="cursor-pointer text-sm font-medium text-sky-700 dark:text-sky-300">
                        Why it matters and how to fix it
                      </summary>
                      <h4 className="mt-3 text-sm font-medium">Why it matters</h4>
                      <p className="text-sm">{f.why}</p>
                      <h4 className="mt-3 text-sm font-medium">How to fix</h4>
                      <p className="text-sm">{f.fix}</p>
                      <YamlSnippet yaml={yaml} />
                      {f.references.length > 0 && (
                        <ul className="mt-2 flex flex-wrap gap-x-4 text-xs">
                          {f.references.map((r) => (
                            <li key={r.url}>
                              <a href={r.url} className={link} rel="noreferrer" target="_blank">
                                {r.title}
                              </a>
                            </li>
                          ))}
                        </ul>
                      )}
                    </details>
                    {canWaive && !f.waived && (
                      <div className="mt-3">
                        <WaiveForm
                          target={{
                            ruleId: f.ruleId,
                            cluster: w.cluster,
                            namespace: w.namespace,
                            workloadKind: w.kind,
                            workloadName: w.name,
                          }}
                          defaultOwner={w.labels.find(([k]) => k === "team")?.[1] ?? me.name}
                        />
                      </div>
                    )}
                  </article>
                </li>
              );
            })}
          </ul>
        )}
        {resolved.length > 0 && (
          <p className={`text-sm ${muted}`}>
            {resolved.length} finding{resolved.length === 1 ? "" : "s"} resolved:{" "}
            {resolved.map((f) => `${f.ruleId} on ${date(f.resolvedAt)}`).join(", ")}.
          </p>
        )}
      </Section>

      <Section title="Digests running, per node">
        {d.running.length === 0 ? (
          <Empty title="No running pods reported a digest." />
        ) : (
          <div className={tableWrap}>
            <table className={table}>
              <caption className="sr-only">Digests running per container and node</caption>
              <Head columns={["Container", "Digest", "Nodes (pods)", "Running since"]} />
              <tbody>
                {d.running.flatMap((r) =>
                  r.digests.map((x, i) => (
                    <tr key={`${r.container}-${x.digest ?? "none"}`} className={tr}>
                      <th scope="row" className={`${td} font-medium`}>
                        {i === 0 ? r.container : ""}
                        {i === 0 && r.drift && (
                          <span className="ml-2 rounded bg-amber-100 px-1.5 py-0.5 text-xs text-amber-900 dark:bg-amber-900/50 dark:text-amber-100">
                            drift: {r.digests.filter((y) => y.digest).length} digests
                          </span>
                        )}
                      </th>
                      <td className={`${td} break-all font-mono text-xs`}>{x.digest ?? "unknown"}</td>
                      <td className={`${td} text-xs`}>
                        {x.nodes.map((n) => `${n.node} (${n.pods})`).join(", ")}
                      </td>
                      <td className={`${td} whitespace-nowrap text-xs`}>{dateTime(x.since)}</td>
                    </tr>
                  )),
                )}
              </tbody>
            </table>
          </div>
        )}
      </Section>

      <div className="grid gap-4 lg:grid-cols-2">
        <BarsChart
          title="Pull latency by image, last 7 days"
          summary={
            d.latency.length
              ? d.latency
                  .map((l) => `${l.image}: p50 ${ms(l.p50Ms)}, p95 ${ms(l.p95Ms)}, ${l.pulls} pulls`)
                  .join("; ")
              : "No pulls in the last 7 days."
          }
          data={d.latency.map((l) => ({
            label: l.image.split("/").at(-1) ?? l.image,
            p50: l.p50Ms ?? 0,
            p95: l.p95Ms ?? 0,
          }))}
          series={[
            { key: "p50", label: "p50", color: "#0284c7" },
            { key: "p95", label: "p95", color: "#d97706" },
          ]}
          format="ms"
        />
        <Section title="Change history">
          {d.history.length === 0 ? (
            <Empty title="No recorded changes." />
          ) : (
            <ol className={`${card} divide-y divide-slate-100 text-sm dark:divide-slate-800`}>
              {d.history.map((h) => (
                <li key={`${h.container}-${h.validFrom.getTime()}`} className="px-3 py-2">
                  <span className="font-medium">{h.container}</span>{" "}
                  <span className={muted}>
                    {dateTime(h.validFrom)} → {h.validTo ? dateTime(h.validTo) : "now"}
                  </span>
                  <span className="block break-all font-mono text-xs">
                    {h.image} · {h.imagePullPolicy} ({h.policySource}) · {h.tagKind}
                  </span>
                </li>
              ))}
            </ol>
          )}
        </Section>
      </div>

      <Section title="Pull events">
        {d.events.length === 0 ? (
          <Empty title="No pull events recorded for this workload." />
        ) : (
          <div className={tableWrap}>
            <table className={table}>
              <caption className="sr-only">Pull events, newest first</caption>
              <Head
                columns={[
                  "Last seen",
                  "Reason",
                  "Container",
                  "Node",
                  ["Pull time", "right"],
                  ["Count", "right"],
                  "Message",
                ]}
              />
              <tbody>
                {d.events.slice(0, EVENTS_SHOWN).map((e) => (
                  <tr key={String(e.id)} className={tr}>
                    <td className={`${td} whitespace-nowrap text-xs`}>{dateTime(e.lastTimestamp)}</td>
                    <td className={td}>
                      <span className={e.failureCause ? "font-medium text-red-800 dark:text-red-200" : ""}>
                        {e.reason}
                      </span>
                      {e.failureCause && <span className={`block text-xs ${muted}`}>{e.failureCause}</span>}
                      {e.alreadyPresent && <span className={`block text-xs ${muted}`}>already present</span>}
                    </td>
                    <td className={td}>{e.container ?? "–"}</td>
                    <td className={`${td} text-xs`}>{e.node ?? "–"}</td>
                    <td className={`${td} text-right tabular-nums`}>{ms(e.pullDurationMs)}</td>
                    <td className={`${td} text-right tabular-nums`}>{num(e.count)}</td>
                    <td className={`${td} max-w-md break-words text-xs`}>{e.message}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            {d.events.length > EVENTS_SHOWN && (
              <p className={`px-3 py-2 text-xs ${muted}`}>
                The {EVENTS_SHOWN} newest of {num(d.events.length)} recent events; all of this
                namespace&apos;s events:{" "}
                <a
                  className={link}
                  href={`/api/export/pull-events.csv?cluster=${encodeURIComponent(w.cluster)}&namespace=${encodeURIComponent(w.namespace)}`}
                >
                  pull events CSV
                </a>
                .
              </p>
            )}
          </div>
        )}
      </Section>
    </>
  );
}
