"use client";
// One image group of a review section, expandable to its findings: the rows are fetched when the
// group is first opened (a week can hold thousands of findings; a page shows them in groups).
import type { ReactNode } from "react";
import { trpc } from "~/client/trpc.ts";
import { FindingRows } from "./finding-rows.tsx";
import { useLoadedOnOpen } from "./use-loaded-on-open.ts";

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
  const { state, load } = useLoadedOnOpen(() => trpc.reviews.rows.query(query), open);
  const rows = state.value;
  return (
    <details
      id={id}
      open={open}
      className="group/rows"
      onToggle={(e) => {
        if ((e.currentTarget as HTMLDetailsElement).open) void load();
      }}
    >
      <summary className="cursor-pointer py-1">{summary}</summary>
      <div className="mt-1 mb-2">
        {state.loading && <p className="text-sm text-slate-600 dark:text-slate-300">Loading findings…</p>}
        {state.error && (
          <p role="alert" className="text-sm text-red-800 dark:text-red-200">
            {state.error}
          </p>
        )}
        {rows && (
          <>
            <FindingRows rows={rows} caption="Findings of this group" showTeam={false} showImage={false} />
            {rows.length < total && (
              <p className="mt-1 text-xs text-slate-600 dark:text-slate-300">
                Showing the {rows.length} most severe of {total}; the CSV export has every row.
              </p>
            )}
          </>
        )}
      </div>
    </details>
  );
}
