// Which runtime Next is evaluating this code in (Next inlines NEXT_RUNTIME when it bundles).
export const isNodeRuntime = (): boolean => process.env.NEXT_RUNTIME === "nodejs";
