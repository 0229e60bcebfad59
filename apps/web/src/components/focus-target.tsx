"use client";
// Where a filter form's results begin. The forms submit to `#results`, so after "Apply" the page
// opens with focus on the results (announced, and the next Tab continues from there) instead of at
// the top of the page, twenty Tabs back.
import { type ReactNode, useEffect, useRef } from "react";
import { RESULTS_ID } from "~/components/ui.tsx";

export function FocusTarget({
  id = RESULTS_ID,
  label,
  children,
}: {
  id?: string;
  label: string;
  children: ReactNode;
}) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (window.location.hash === `#${id}`) ref.current?.focus();
  }, [id]);
  return (
    <section id={id} ref={ref} tabIndex={-1} aria-label={label} className="space-y-3 focus:outline-none">
      {children}
    </section>
  );
}
