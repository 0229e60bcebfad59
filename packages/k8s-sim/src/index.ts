export { startControlServer } from "./control.ts";
export { REPOSITORIES, type SimRepository } from "./fleet/catalog.ts";
export { type ClusterTruth, SimCluster } from "./fleet/cluster.ts";
export type { Faults, RequestRecord } from "./server/api-server.ts";
export {
  CLUSTER_NAMES,
  CLUSTER_VERSIONS,
  DEFAULT_START,
  type SimulatedCluster,
  Simulator,
  type SimulatorOptions,
} from "./simulator.ts";
