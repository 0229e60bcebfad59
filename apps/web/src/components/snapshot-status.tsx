const styles: Record<string, string> = {
  complete: "bg-emerald-100 text-emerald-900 dark:bg-emerald-900/40 dark:text-emerald-200",
  partial: "bg-amber-100 text-amber-900 dark:bg-amber-900/40 dark:text-amber-200",
  failed: "bg-red-100 text-red-900 dark:bg-red-900/40 dark:text-red-200",
  running: "bg-sky-100 text-sky-900 dark:bg-sky-900/40 dark:text-sky-200",
  never: "bg-slate-100 text-slate-700 dark:bg-slate-800 dark:text-slate-300",
};

/** A labelled badge for a snapshot status; colour is never the only signal. */
export function SnapshotStatus({ status }: { status: string | null }) {
  const key = status ?? "never";
  return (
    <span className={`inline-flex rounded px-2 py-0.5 text-xs font-medium ${styles[key] ?? styles.never}`}>
      {status ?? "never collected"}
    </span>
  );
}
