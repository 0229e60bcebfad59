"use client";
// Waive a rule for a finding's workload, namespace or cluster, with a reason, an owner and an
// expiry (required; at most a year). Reviewers and admins only — the server enforces it too.
import { useRouter } from "next/navigation";
import { useEffect, useId, useRef, useState } from "react";
import { errorMessage, trpc } from "~/client/trpc.ts";

export interface WaiveTarget {
  ruleId: string;
  cluster: string;
  namespace: string;
  workloadKind: string | null;
  workloadName: string | null;
}

const inputClass =
  "w-full rounded border border-slate-300 bg-white px-2 py-1.5 text-sm dark:border-slate-700 dark:bg-slate-950";

export function WaiveForm({ target, defaultOwner }: { target: WaiveTarget; defaultOwner: string }) {
  const router = useRouter();
  const id = useId();
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const inThirtyDays = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
  const opener = useRef<HTMLButtonElement>(null);
  const formRef = useRef<HTMLFormElement>(null);
  const statusRef = useRef<HTMLParagraphElement>(null);
  const wasOpen = useRef(false);
  // Focus follows the form: into it when it opens, to its outcome when done, back to the button on cancel.
  useEffect(() => {
    if (done) statusRef.current?.focus();
    else if (open) formRef.current?.querySelector<HTMLElement>("input:checked, input, textarea")?.focus();
    else if (wasOpen.current) opener.current?.focus();
    wasOpen.current = open;
  }, [open, done]);

  if (done)
    return (
      <p
        ref={statusRef}
        tabIndex={-1}
        role="status"
        className="text-sm text-emerald-800 focus:outline-none dark:text-emerald-200"
      >
        {done}
      </p>
    );
  if (!open)
    return (
      <button
        ref={opener}
        type="button"
        aria-expanded={false}
        onClick={() => setOpen(true)}
        className="rounded border border-slate-300 bg-white px-2 py-1 text-xs font-medium hover:bg-slate-50 focus-visible:outline-2 focus-visible:outline-sky-600 dark:border-slate-700 dark:bg-slate-900 dark:hover:bg-slate-800 print:hidden"
      >
        Waive…
      </button>
    );

  return (
    <form
      ref={formRef}
      aria-label={`Waive ${target.ruleId}`}
      onKeyDown={(e) => {
        if (e.key === "Escape") setOpen(false);
      }}
      className="mt-2 grid max-w-xl gap-2 rounded border border-slate-200 p-3 text-sm dark:border-slate-700"
      onSubmit={async (e) => {
        e.preventDefault();
        const form = new FormData(e.currentTarget);
        setBusy(true);
        setError(null);
        try {
          const w = await createWaiver(target, form);
          setDone(`Waived ${w.ruleId} until ${w.expiresAt.toISOString().slice(0, 10)} (waiver #${w.id}).`);
          router.refresh();
        } catch (err) {
          setError(errorMessage(err));
        } finally {
          setBusy(false);
        }
      }}
    >
      <WaiveScope target={target} />
      <label htmlFor={`${id}-reason`} className="font-medium">
        Reason
      </label>
      <textarea id={`${id}-reason`} name="reason" required minLength={10} rows={2} className={inputClass} />
      <div className="grid grid-cols-2 gap-2">
        <label className="flex flex-col gap-1">
          <span className="font-medium">Owner</span>
          <input name="owner" required defaultValue={defaultOwner} className={inputClass} />
        </label>
        <label className="flex flex-col gap-1">
          <span className="font-medium">Expires (UTC)</span>
          <input type="date" name="expires" required defaultValue={inThirtyDays} className={inputClass} />
        </label>
      </div>
      {error && (
        <p role="alert" className="text-red-800 dark:text-red-200">
          {error}
        </p>
      )}
      <div className="flex gap-2">
        <button
          type="submit"
          disabled={busy}
          className="rounded bg-sky-700 px-3 py-1.5 font-medium text-white hover:bg-sky-800 disabled:opacity-50"
        >
          {busy ? "Waiving…" : "Waive"}
        </button>
        <button type="button" onClick={() => setOpen(false)} className="rounded px-3 py-1.5 hover:underline">
          Cancel
        </button>
      </div>
    </form>
  );
}

/** Which scope the waiver covers: the workload (when the finding has one), its namespace, or its cluster. */
function WaiveScope({ target }: { target: WaiveTarget }) {
  return (
    <fieldset className="flex flex-wrap gap-3">
      <legend className="mb-1 font-medium">Waive {target.ruleId} for</legend>
      {target.workloadName && (
        <label className="flex items-center gap-1">
          <input type="radio" name="scope" value="workload" defaultChecked /> this workload
        </label>
      )}
      <label className="flex items-center gap-1">
        <input type="radio" name="scope" value="namespace" defaultChecked={!target.workloadName} /> namespace{" "}
        {target.namespace}
      </label>
      <label className="flex items-center gap-1">
        <input type="radio" name="scope" value="cluster" /> cluster {target.cluster}
      </label>
    </fieldset>
  );
}

/** The waiver the form describes, created through the API (which checks the role again). */
function createWaiver(target: WaiveTarget, form: FormData) {
  const scope = String(form.get("scope"));
  return trpc.waivers.create.mutate({
    ruleId: target.ruleId,
    cluster: target.cluster,
    ...(scope !== "cluster" ? { namespace: target.namespace } : {}),
    ...(scope === "workload" && target.workloadKind && target.workloadName
      ? { workloadKind: target.workloadKind, workloadName: target.workloadName }
      : {}),
    reason: String(form.get("reason")),
    owner: String(form.get("owner")),
    expiresAt: new Date(`${String(form.get("expires"))}T23:59:59Z`),
  });
}
