import Link from "next/link";

export default function NotFound() {
  return (
    <section
      aria-labelledby="nf-title"
      className="mx-auto max-w-2xl rounded-lg border border-slate-200 bg-white p-6 dark:border-slate-800 dark:bg-slate-900"
    >
      <h1 id="nf-title" className="text-xl font-semibold">
        Not found
      </h1>
      <p className="mt-2 text-sm text-slate-600 dark:text-slate-300">
        There is no such cluster, workload or page here. It may have been deleted since the link was made.
      </p>
      <Link href="/" className="mt-4 inline-block text-sm text-sky-700 underline dark:text-sky-300">
        Back to the fleet
      </Link>
    </section>
  );
}
