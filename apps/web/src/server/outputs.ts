import type { AppRouter } from "@pullsight/api";
import type { inferRouterOutputs } from "@trpc/server";

/** What each procedure answers, as pages receive it (one name instead of a ReturnType chain per page). */
export type Outputs = inferRouterOutputs<AppRouter>;
