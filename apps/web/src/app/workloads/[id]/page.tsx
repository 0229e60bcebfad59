import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { Empty, Link, link, muted, PageHeader, Section, Warning } from "~/components/ui.tsx";
import { Containers } from "~/components/workload/containers.tsx";
import { FindingCard } from "~/components/workload/findings.tsx";
import { LatencyAndHistory } from "~/components/workload/latency-history.tsx";
import { PullEvents } from "~/components/workload/pull-events.tsx";
import { RunningDigests } from "~/components/workload/running.tsx";
import { date, dateTime } from "~/lib/format.ts";
import { api } from "~/server/caller.ts";
import type { Outputs } from "~/server/outputs.ts";

export const dynamic = "force-dynamic";

type Params = Promise<{ id: string }>;
type Detail = Outputs["workloads"]["detail"];

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
  const me = await (await api()).identity.me();
  const w = d.workload;
  const canWaive = me.role === "reviewer" || me.role === "admin";
  const waiveAs = canWaive ? (w.labels.find(([k]) => k === "team")?.[1] ?? me.name) : null;
  return (
    <>
      <Breadcrumb w={w} />
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
      <Containers containers={d.containers} running={d.running} />
      <Findings d={d} waiveAs={waiveAs} />
      <RunningDigests running={d.running} />
      <LatencyAndHistory d={d} />
      <PullEvents d={d} w={w} />
    </>
  );
}

function Breadcrumb({ w }: { w: Detail["workload"] }) {
  return (
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
      </Link>{" "}
      · team{" "}
      <Link href={`/teams/${encodeURIComponent(w.owner)}`} className={link}>
        {w.owner}
      </Link>
    </nav>
  );
}

function Findings({ d, waiveAs }: { d: Detail; waiveAs: string | null }) {
  const open = d.findings.filter((f) => !f.resolvedAt);
  const resolved = d.findings.filter((f) => f.resolvedAt);
  return (
    <Section title={`Open findings (${open.length})`}>
      {open.length === 0 ? (
        <Empty title="No open findings: every container of this workload passes the rules." />
      ) : (
        <ul className="space-y-4">
          {open.map((f, index) => (
            <FindingCard key={String(f.id)} d={d} f={f} index={index} waiveAs={waiveAs} />
          ))}
        </ul>
      )}
      {resolved.length > 0 && (
        <p className={`text-sm ${muted}`}>
          {resolved.length} finding{resolved.length === 1 ? "" : "s"} resolved:{" "}
          {resolved.map((f) => `${f.ruleId} on ${date(f.resolvedAt)}`).join(", ")}.
        </p>
      )}
    </Section>
  );
}
