// The browser's tRPC client, for mutations from client components (waive, sign off). Pages read
// through server components; after a mutation the page is refreshed from the server.
import type { AppRouter } from "@pullsight/api";
import { createTRPCClient, httpLink, TRPCClientError } from "@trpc/client";
import superjson from "superjson";

export const trpc = createTRPCClient<AppRouter>({
  links: [httpLink({ url: "/api/trpc", transformer: superjson })],
});

/** A message a person can act on, from whatever a mutation threw. */
export function errorMessage(e: unknown): string {
  if (e instanceof TRPCClientError) {
    const code = (e.data as { code?: string } | undefined)?.code;
    if (code === "FORBIDDEN") return `Not allowed: ${e.message}`;
    if (code === "UNAUTHORIZED") return "You are not signed in.";
    if (code === "BAD_REQUEST") {
      // zod issues arrive as a JSON list; show their messages.
      try {
        const issues = JSON.parse(e.message) as Array<{ message: string; path?: string[] }>;
        return issues
          .map((i) => (i.path?.length ? `${i.path.join(".")}: ${i.message}` : i.message))
          .join("; ");
      } catch {
        return e.message;
      }
    }
    return e.message;
  }
  return e instanceof Error ? e.message : String(e);
}
