"use client";
// Sign off a week's review: reviewers and admins, in two steps — the notes, then a confirmation that
// shows exactly what will be frozen. Once signed it cannot change (the server refuses a second
// sign-off and the database any change). A viewer is told why there is nothing to sign.
import { useRouter } from "next/navigation";
import { useId, useState } from "react";
import { errorMessage, trpc } from "~/client/trpc.ts";

/** The figures a sign-off freezes, as the page shows them. */
export interface Frozen {
  score: string;
  change: string;
  newFindings: number;
  resolved: number;
  ageing: number;
  openAtEnd: number;
  actions: number;
  waiversExpiring: number;
}

const submit =
  "rounded bg-sky-700 px-3 py-1.5 text-sm font-medium text-white hover:bg-sky-800 disabled:opacity-50";
const secondary =
  "rounded border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium hover:bg-slate-50 dark:border-slate-700 dark:bg-slate-900 dark:hover:bg-slate-800";

export function SignOff({
  week,
  scope,
  scopeLabel,
  canSign,
  inProgress,
  frozen,
}: {
  week: string;
  scope: string;
  scopeLabel: string;
  canSign: boolean;
  inProgress: boolean;
  frozen: Frozen;
}) {
  const router = useRouter();
  const id = useId();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [notes, setNotes] = useState("");
  const [confirming, setConfirming] = useState(false);
  if (!canSign)
    return (
      <p className="text-sm text-slate-600 dark:text-slate-300">
        Only reviewers and admins can sign off a review; you are signed in as a viewer.
      </p>
    );
  const sign = async () => {
    setBusy(true);
    setError(null);
    try {
      await trpc.reviews.sign.mutate({ week, scope, notes });
      router.refresh();
    } catch (err) {
      setError(errorMessage(err));
      setConfirming(false);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form
      aria-label="Sign off this review"
      className="grid max-w-2xl gap-2 print:hidden"
      onSubmit={(e) => {
        e.preventDefault();
        if (confirming) void sign();
        else setConfirming(true);
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
        value={notes}
        readOnly={confirming}
        onChange={(e) => setNotes(e.target.value)}
        className="rounded border border-slate-300 bg-white px-2 py-1.5 text-sm dark:border-slate-700 dark:bg-slate-950"
        placeholder="What was decided, who follows up"
      />
      {inProgress && (
        <p className="text-sm text-amber-800 dark:text-amber-200">
          This week is not over yet: signing freezes its figures as they are now.
        </p>
      )}
      {confirming && <Confirmation week={week} scopeLabel={scopeLabel} frozen={frozen} />}
      {error && (
        <p role="alert" className="text-sm text-red-800 dark:text-red-200">
          {error}
        </p>
      )}
      <div className="flex gap-2">
        <button type="submit" disabled={busy} className={submit}>
          {busy ? "Signing…" : confirming ? `Confirm sign-off of ${week}` : `Sign off ${week}…`}
        </button>
        {confirming && (
          <button type="button" className={secondary} onClick={() => setConfirming(false)} disabled={busy}>
            Cancel
          </button>
        )}
      </div>
    </form>
  );
}

function Confirmation({ week, scopeLabel, frozen }: { week: string; scopeLabel: string; frozen: Frozen }) {
  const items: Array<[string, string | number]> = [
    ["Score at week end", `${frozen.score} (${frozen.change})`],
    ["New findings", frozen.newFindings],
    ["Resolved", frozen.resolved],
    ["Ageing (over 30 days)", frozen.ageing],
    ["Open at week end", frozen.openAtEnd],
    ["Actions listed", frozen.actions],
    ["Waivers expiring", frozen.waiversExpiring],
  ];
  return (
    <section
      aria-label="What will be frozen"
      className="rounded border border-amber-300 bg-amber-50 p-3 text-sm dark:border-amber-700 dark:bg-amber-950/40"
    >
      <p className="font-medium">
        Signing freezes the review of {week} for {scopeLabel} with these figures, your name and your notes. It
        cannot be changed or signed again.
      </p>
      <dl className="mt-2 grid grid-cols-2 gap-x-4 gap-y-1 sm:grid-cols-4">
        {items.map(([label, value]) => (
          <div key={label}>
            <dt className="text-xs text-slate-600 dark:text-slate-300">{label}</dt>
            <dd className="font-medium tabular-nums">
              {typeof value === "number" ? value.toLocaleString("en") : value}
            </dd>
          </div>
        ))}
      </dl>
    </section>
  );
}

export function PrintButton() {
  return (
    <button type="button" onClick={() => window.print()} className={secondary}>
      Print
    </button>
  );
}
