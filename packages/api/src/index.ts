// What a server hosting the API opens (the web app reaches the database layer only through here).
export {
  AT_RISK_SORT_FIRST,
  AT_RISK_SORTS,
  createDb,
  createExportPool,
  type Db,
  FAILING_SORT_FIRST,
  FAILING_SORTS,
  FINDING_SORT_FIRST,
  FINDING_SORTS,
  poolOf,
  WORKLOAD_DETAIL_EVENTS,
  WORKLOAD_SORTS,
} from "@pullsight/db";
export { csvCell } from "./csv.ts";
export { type ExportHttpOptions, handleExportRequest } from "./export-http.ts";
export {
  type CsvExport,
  EXPORT_COLUMNS,
  EXPORT_KINDS,
  type ExportKind,
  exportFilename,
  exportFilters,
  startCsvExport,
} from "./exports.ts";
export { handleTrpcRequest, type TrpcHttpOptions } from "./http.ts";
export {
  type AuthConfig,
  chooseIdentityMode,
  DEMO_ROLE_COOKIE,
  type Identity,
  isLoopback,
  ROLES,
  type Role,
  readAuthConfig,
  resolveIdentity,
} from "./identity.ts";
export {
  DEFAULT_EXPORT_LIMITS,
  DEFAULT_LIMITS,
  type ExportLimits,
  type RequestLimits,
  readLimits,
} from "./limits.ts";
export { ApiMetrics, apiMetrics, statusClass } from "./metrics.ts";
export { type FetchHandler, fetchServer, listen } from "./node-http.ts";
export { CHANGE_CHANNEL, ReadCache, type ReadCacheOptions } from "./read-cache.ts";
export { type AppRouter, appRouter, createCaller } from "./root.ts";
export {
  atRiskFilter,
  failingFilter,
  findingFilter,
  imageFilter,
  inventoryFilter,
  NOT_DIGEST,
  workloadFilter,
} from "./schemas.ts";
export { type Context, createContext } from "./trpc.ts";
