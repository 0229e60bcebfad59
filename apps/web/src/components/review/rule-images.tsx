"use client";
// One rule of a team's group in a review section, expandable to its images: they are fetched when
// the rule is first opened (a fleet's review has thousands of image groups; a page shows rules).
import { trpc } from "~/client/trpc.ts";
import { muted } from "~/components/ui.tsx";
import { num } from "~/lib/format.ts";
import { groupAnchor } from "./group-anchor.ts";
import { CountLine, type Counts, SeverityCounts } from "./group-counts.tsx";
import { GroupRows } from "./group-rows.tsx";
import { LoadedDetails } from "./loaded-details.tsx";

type Query = Parameters<typeof trpc.reviews.images.query>[0];
type Images = Awaited<ReturnType<typeof trpc.reviews.images.query>>;

/**
 * Takes the rule's counts rather than a rendered summary: a page holds hundreds of rules, and
 * counts cross to the browser in a fraction of the bytes of a serialized element tree.
 */
export function RuleImages({
  query,
  title,
  counts,
  focus,
}: {
  query: Query & { section: "new" | "resolved" | "ageing" };
  /** The rule's title. */
  title: string | undefined;
  counts: Counts;
  /** The anchor of a group to show open. */
  focus?: string | undefined;
}) {
  const id = groupAnchor(query.section, query.team, query.ruleId);
  return (
    <LoadedDetails
      id={id}
      open={focus?.startsWith(id) ?? false}
      fetch={() => trpc.reviews.images.query(query)}
      summary={
        <>
          <span className="font-medium">{query.ruleId}</span> <span className="text-sm">{title}</span>{" "}
          <SeverityCounts by={counts.bySeverity} /> <CountLine c={counts} />
        </>
      }
      bodyClassName="mt-1 space-y-1 border-l border-slate-200 pl-3 text-sm dark:border-slate-700"
      loading="Loading images…"
    >
      {(images) => <ImageList images={images} query={query} focus={focus} />}
    </LoadedDetails>
  );
}

function ImageList({
  images,
  query,
  focus,
}: {
  images: Images;
  query: Query & { section: "new" | "resolved" | "ageing" };
  focus?: string | undefined;
}) {
  return (
    <ul className="space-y-1">
      {images.images.map((img) => {
        const id = groupAnchor(query.section, query.team, query.ruleId, img.image);
        return (
          <li key={img.image ?? ""}>
            <GroupRows
              id={id}
              open={focus === id}
              total={img.findings}
              query={{ ...query, image: img.image }}
              summary={
                <>
                  <span className="break-all font-mono text-xs">{img.image ?? "(no image)"}</span>{" "}
                  <SeverityCounts by={img.bySeverity} /> <CountLine c={img} />
                </>
              }
            />
          </li>
        );
      })}
      {images.moreImages.images > 0 && (
        <li className={`text-xs ${muted}`}>
          and {num(images.moreImages.images)} more images with {num(images.moreImages.findings)} findings (the
          CSV export has every row)
        </li>
      )}
    </ul>
  );
}
