import { muted } from "~/components/ui.tsx";

/** The fleet page before the first snapshot: what to run so that it fills in. */
export function EmptyFleet() {
  return (
    <section
      aria-labelledby="empty-title"
      className="mx-auto max-w-2xl rounded-lg border border-dashed border-slate-300 bg-white p-8 dark:border-slate-700 dark:bg-slate-900"
    >
      <h1 id="empty-title" className="text-xl font-semibold">
        No cluster has been collected yet
      </h1>
      <p className={`mt-3 ${muted}`}>
        Pullsight shows what its collector has read from your clusters. Nothing has been collected into this
        database so far, so there is no posture to report.
      </p>
      <p className={`mt-3 ${muted}`}>
        Start the collector against the contexts of your kubeconfig, and this page fills in after its first
        snapshot:
      </p>
      <pre className="mt-3 overflow-x-auto rounded bg-slate-100 p-3 font-mono text-sm dark:bg-slate-800">
        <code>npx pnpm@10 collect --once --kubeconfig ~/.kube/config</code>
      </pre>
    </section>
  );
}
