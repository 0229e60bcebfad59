import { clustersRouter } from "./routers/clusters.ts";
import { exportsRouter } from "./routers/export-log.ts";
import { failingRouter } from "./routers/failing.ts";
import { findingsRouter } from "./routers/findings.ts";
import { fleetRouter } from "./routers/fleet.ts";
import { identityRouter } from "./routers/identity.ts";
import { imagesRouter } from "./routers/images.ts";
import { registriesRouter } from "./routers/registries.ts";
import { reviewsRouter } from "./routers/reviews.ts";
import { rulesRouter } from "./routers/rules.ts";
import { teamsRouter } from "./routers/teams.ts";
import { trendsRouter } from "./routers/trends.ts";
import { waiversRouter } from "./routers/waivers.ts";
import { workloadsRouter } from "./routers/workloads.ts";
import { createCallerFactory, router } from "./trpc.ts";

export const appRouter = router({
  fleet: fleetRouter,
  clusters: clustersRouter,
  workloads: workloadsRouter,
  findings: findingsRouter,
  failing: failingRouter,
  registries: registriesRouter,
  images: imagesRouter,
  trends: trendsRouter,
  reviews: reviewsRouter,
  teams: teamsRouter,
  waivers: waiversRouter,
  rules: rulesRouter,
  exports: exportsRouter,
  identity: identityRouter,
});

export type AppRouter = typeof appRouter;

/** Server-side caller: `createCaller(createContext({ db, user })).fleet.overview()`. */
export const createCaller = createCallerFactory(appRouter);
