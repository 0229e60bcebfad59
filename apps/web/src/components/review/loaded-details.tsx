"use client";
// A disclosure widget whose content is fetched the first time it opens (or at once when it starts
// open): a review's teams, rules and images each hold more than a page can carry at once.
import type { ReactNode } from "react";
import { muted } from "~/components/ui.tsx";
import { useLoadedOnOpen } from "./use-loaded-on-open.ts";

export function LoadedDetails<T>({
  id,
  open,
  fetch,
  summary,
  summaryClassName = "cursor-pointer",
  bodyClassName,
  loading,
  className,
  children,
}: {
  id?: string | undefined;
  open: boolean;
  fetch: () => Promise<T>;
  summary: ReactNode;
  summaryClassName?: string;
  bodyClassName: string;
  /** What shows while it loads ("Loading rules…"). */
  loading: string;
  className?: string;
  children: (value: T) => ReactNode;
}) {
  const { state, load } = useLoadedOnOpen(fetch, open);
  return (
    <details
      id={id}
      open={open}
      className={className}
      onToggle={(e) => {
        if ((e.currentTarget as HTMLDetailsElement).open) void load();
      }}
    >
      <summary className={summaryClassName}>{summary}</summary>
      <div className={bodyClassName}>
        {state.loading && <p className={`text-sm ${muted}`}>{loading}</p>}
        {state.error && (
          <p role="alert" className="text-sm text-red-800 dark:text-red-200">
            {state.error}
          </p>
        )}
        {state.value !== undefined && children(state.value)}
      </div>
    </details>
  );
}
