import { fleetRouter } from "./routers/fleet.ts";
import { createCallerFactory, router } from "./trpc.ts";

export const appRouter = router({
  fleet: fleetRouter,
});

export type AppRouter = typeof appRouter;

/** Server-side caller: `createCaller(createContext({ db })).fleet.overview()`. */
export const createCaller = createCallerFactory(appRouter);
