import { imageFilter } from "@pullsight/api";
import type { Metadata } from "next";
import { FocusTarget } from "~/components/focus-target.tsx";
import { ImagesTable } from "~/components/images/images-table.tsx";
import { FilterSelect, FilterText } from "~/components/table-controls.tsx";
import {
  Empty,
  ExportLink,
  Link,
  link,
  muted,
  PageHeader,
  primaryButton,
  RESULTS_ID,
  Warning,
} from "~/components/ui.tsx";
import { num } from "~/lib/format.ts";
import { type SearchParams, validFilters } from "~/lib/params.ts";
import { api } from "~/server/caller.ts";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Images" };

const LIMIT = 100;

/**
 * Images across the fleet: each reference, where it runs and how it is pulled, which digests its
 * pods run on which nodes (drift first), what its registry says now, and its open findings.
 */
export default async function ImagesPage({ searchParams }: { searchParams: SearchParams }) {
  const { filter, raw, dropped } = validFilters(imageFilter, await searchParams);
  const caller = await api();
  const [images, fleet, facets] = await Promise.all([
    caller.images.list({ filter, limit: LIMIT }),
    caller.fleet.overview(),
    caller.workloads.facets(filter.cluster ? { cluster: filter.cluster } : undefined),
  ]);
  const query = new URLSearchParams(raw).toString();
  const registries = (facets.registry ?? []).map((f) => f.value);
  return (
    <>
      <PageHeader
        title="Images"
        subtitle={`${num(images.total)} image references ${query ? "match" : "run across the fleet"}; those running as more than one digest first`}
        actions={
          <ExportLink href={`/api/export/images.csv${query ? `?${query}` : ""}`}>Export CSV</ExportLink>
        }
      />
      <form
        method="get"
        action={`#${RESULTS_ID}`}
        aria-label="Filter images"
        className="flex flex-wrap items-end gap-3 text-sm"
      >
        <FilterSelect
          name="cluster"
          label="Cluster"
          value={raw.cluster}
          options={fleet.clusters.map((c) => ({ value: c.name, text: c.name }))}
          anyLabel="All clusters"
        />
        <FilterSelect
          name="registry"
          label="Registry"
          value={raw.registry}
          options={registries.map((r) => ({ value: r, text: r }))}
          anyLabel="Any registry"
        />
        <FilterText name="q" label="Image contains" value={raw.q} placeholder="redis" />
        <label className="flex items-center gap-2 pb-2">
          <input type="checkbox" name="drift" value="yes" defaultChecked={raw.drift === "yes"} />
          running as several digests
        </label>
        <button type="submit" className={primaryButton}>
          Apply
        </button>
        {query && (
          <Link href="/images" className={link}>
            Clear
          </Link>
        )}
      </form>
      {dropped.length > 0 && <Warning>Ignored filters this page cannot use: {dropped.join(", ")}.</Warning>}
      <FocusTarget label="Images">
        {images.total === 0 ? (
          <Empty title="No image matches these filters." />
        ) : (
          <>
            <ImagesTable rows={images.rows} />
            {images.total > LIMIT && (
              <p className={`text-sm ${muted}`}>
                Showing the first {num(LIMIT)} of {num(images.total)}; the CSV has every one, one row per
                running digest.
              </p>
            )}
          </>
        )}
      </FocusTarget>
    </>
  );
}
