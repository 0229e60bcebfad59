import { unstorableText } from "@pullsight/core";
import type { Metadata } from "next";
import { ClustersTable } from "~/components/clusters/clusters-table.tsx";
import { Compare } from "~/components/clusters/compare.tsx";
import { CompareForm, LabelFilter } from "~/components/clusters/label-filter.tsx";
import { Empty, ExportLink, muted, PageHeader, Section } from "~/components/ui.tsx";
import { many, one, type SearchParams } from "~/lib/params.ts";
import { api } from "~/server/caller.ts";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Clusters" };

/** "key=value" (or key:value) from a URL; text no query could take is no label. */
const parseLabel = (s: string): [string, string] | null => {
  const m = unstorableText(s) === null ? /^([^=:]+)[=:](.*)$/.exec(s) : null;
  return m ? [m[1] as string, m[2] as string] : null;
};

export default async function ClustersPage({ searchParams }: { searchParams: SearchParams }) {
  const sp = await searchParams;
  const chosen = many(sp.label)
    .map(parseLabel)
    .filter((l): l is [string, string] => l !== null);
  const labels = Object.fromEntries(chosen);
  const caller = await api();
  const [all, fleet] = await Promise.all([
    caller.fleet.overview(),
    caller.fleet.overview(chosen.length ? { labels } : undefined),
  ]);
  const trends = await Promise.all(
    fleet.clusters.map((c) =>
      caller.trends.posture({ scope: { cluster: c.name }, range: { days: 30 }, bucket: "day" }),
    ),
  );

  const a = one(sp.a);
  const b = one(sp.b);
  const labelQuery = chosen.length
    ? `label=${encodeURIComponent(chosen.map(([k, v]) => `${k}=${v}`).join(","))}`
    : "";

  return (
    <>
      <PageHeader
        title="Clusters"
        subtitle={`${fleet.clusters.length} of ${all.clusters.length} clusters${chosen.length ? ` with ${chosen.map(([k, v]) => `${k}=${v}`).join(", ")}` : ""}`}
        actions={
          <ExportLink href={`/api/export/clusters.csv${labelQuery ? `?${labelQuery}` : ""}`}>
            Export CSV
          </ExportLink>
        }
      />

      <LabelFilter all={all.clusters} chosen={chosen} />

      {fleet.clusters.length === 0 ? (
        <Empty title="No cluster matches these labels." />
      ) : (
        <ClustersTable clusters={fleet.clusters} trends={trends} />
      )}

      <Section title="Compare two clusters">
        <CompareForm all={all.clusters} chosen={chosen} a={a} b={b} />
        {a && b ? (
          <Compare names={[a, b]} />
        ) : (
          <p className={`text-sm ${muted}`}>Choose two clusters to see them side by side.</p>
        )}
      </Section>
    </>
  );
}
