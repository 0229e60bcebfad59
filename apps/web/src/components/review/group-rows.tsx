"use client";
// One image group of a review section, expandable to its findings: the rows are fetched when the
// group is first opened (a week can hold thousands of findings; a page shows them in groups).
import type { ReactNode } from "react";
import { trpc } from "~/client/trpc.ts";
import { FindingRows } from "./finding-rows.tsx";
import { LoadedDetails } from "./loaded-details.tsx";

type Query = Parameters<typeof trpc.reviews.rows.query>[0];

export function GroupRows({
  query,
  summary,
  total,
  open = false,
  id,
}: {
  query: Query;
  summary: ReactNode;
  total: number;
  open?: boolean;
  id?: string;
}) {
  return (
    <LoadedDetails
      id={id}
      open={open}
      className="group/rows"
      fetch={() => trpc.reviews.rows.query(query)}
      summary={summary}
      summaryClassName="cursor-pointer py-1"
      bodyClassName="mt-1 mb-2"
      loading="Loading findings…"
    >
      {(rows) => (
        <>
          <FindingRows rows={rows} caption="Findings of this group" showTeam={false} showImage={false} />
          {rows.length < total && (
            <p className="mt-1 text-xs text-slate-600 dark:text-slate-300">
              Showing the {rows.length} most severe of {total}; the CSV export has every row.
            </p>
          )}
        </>
      )}
    </LoadedDetails>
  );
}
