"use client";
// Any page that fails: say so plainly, keep the digest to find the server log line, offer a retry.
export default function ErrorPage({
  error,
  reset,
}: {
  error: Error & { digest?: string };
  reset: () => void;
}) {
  return (
    <section
      role="alert"
      aria-labelledby="error-title"
      className="mx-auto max-w-2xl rounded-lg border border-red-300 bg-red-50 p-6 text-red-950 dark:border-red-800 dark:bg-red-950/40 dark:text-red-100"
    >
      <h1 id="error-title" className="text-xl font-semibold">
        This page could not be loaded
      </h1>
      <p className="mt-2 text-sm">
        The server could not answer (is the database reachable?). Nothing was changed.
        {error.digest && (
          <>
            {" "}
            The server log has the details under <code className="font-mono">{error.digest}</code>.
          </>
        )}
      </p>
      <button
        type="button"
        onClick={reset}
        className="mt-4 rounded bg-red-700 px-3 py-1.5 text-sm font-medium text-white hover:bg-red-800"
      >
        Try again
      </button>
    </section>
  );
}
