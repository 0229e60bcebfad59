"use client";
import { useState } from "react";

/** Copies text to the clipboard and says so (to screen readers too). */
export function CopyButton({ text, label = "Copy" }: { text: string; label?: string }) {
  const [copied, setCopied] = useState<"idle" | "done" | "failed">("idle");
  return (
    <button
      type="button"
      onClick={async () => {
        try {
          await navigator.clipboard.writeText(text);
          setCopied("done");
        } catch {
          setCopied("failed");
        }
        setTimeout(() => setCopied("idle"), 2000);
      }}
      className="rounded border border-slate-300 bg-white px-2 py-0.5 text-xs hover:bg-slate-50 focus-visible:outline-2 focus-visible:outline-sky-600 dark:border-slate-700 dark:bg-slate-900 dark:hover:bg-slate-800 print:hidden"
    >
      <span aria-live="polite">
        {copied === "done" ? "Copied" : copied === "failed" ? "Copy failed: select the text" : label}
      </span>
    </button>
  );
}

/** A YAML snippet with a button that copies it. */
export function YamlSnippet({ yaml }: { yaml: string }) {
  return (
    <div className="mt-2 flex items-start gap-2">
      <pre
        // biome-ignore lint/a11y/noNoninteractiveTabindex: code that scrolls sideways must be reachable by keyboard to scroll (WCAG 2.1.1)
        tabIndex={0}
        className="flex-1 overflow-x-auto rounded bg-slate-100 p-3 font-mono text-xs dark:bg-slate-800"
      >
        <code>{yaml}</code>
      </pre>
      <CopyButton text={yaml} label="Copy YAML" />
    </div>
  );
}
