export { type AppRouter, appRouter, createCaller } from "./root.ts";
export { type Context, createContext } from "./trpc.ts";
