"use client";
// Sign off a week's review: reviewers and admins; once signed it cannot change (the server and the
// database both refuse). A viewer sees why they cannot.
import { useRouter } from "next/navigation";
import { useId, useState } from "react";
import { errorMessage, trpc } from "~/client/trpc.ts";

export function SignOff({
  week,
  scope,
  canSign,
  inProgress,
}: {
  week: string;
  scope: string;
  canSign: boolean;
  inProgress: boolean;
}) {
  const router = useRouter();
  const id = useId();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  if (!canSign)
    return (
      <p className="text-sm text-slate-600 dark:text-slate-300">
        Only reviewers and admins can sign off a review; you are signed in as a viewer.
      </p>
    );
  return (
    <form
      aria-label="Sign off this review"
      className="grid max-w-2xl gap-2 print:hidden"
      onSubmit={async (e) => {
        e.preventDefault();
        setBusy(true);
        setError(null);
        try {
          await trpc.reviews.sign.mutate({
            week,
            scope,
            notes: String(new FormData(e.currentTarget).get("notes") ?? ""),
          });
          router.refresh();
        } catch (err) {
          setError(errorMessage(err));
        } finally {
          setBusy(false);
        }
      }}
    >
      <label htmlFor={`${id}-notes`} className="text-sm font-medium">
        Notes for the record
      </label>
      <textarea
        id={`${id}-notes`}
        name="notes"
        rows={3}
        maxLength={10_000}
        className="rounded border border-slate-300 bg-white px-2 py-1.5 text-sm dark:border-slate-700 dark:bg-slate-950"
        placeholder="What was decided, who follows up"
      />
      {inProgress && (
        <p className="text-sm text-amber-800 dark:text-amber-200">
          This week is not over yet: signing freezes its figures as they are now.
        </p>
      )}
      {error && (
        <p role="alert" className="text-sm text-red-800 dark:text-red-200">
          {error}
        </p>
      )}
      <div>
        <button
          type="submit"
          disabled={busy}
          className="rounded bg-sky-700 px-3 py-1.5 text-sm font-medium text-white hover:bg-sky-800 disabled:opacity-50"
        >
          {busy ? "Signing…" : `Sign off ${week}`}
        </button>
      </div>
    </form>
  );
}

export function PrintButton() {
  return (
    <button
      type="button"
      onClick={() => window.print()}
      className="inline-flex items-center gap-1 rounded border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium hover:bg-slate-50 dark:border-slate-700 dark:bg-slate-900 dark:hover:bg-slate-800"
    >
      Print
    </button>
  );
}
