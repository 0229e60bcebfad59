export { startControlServer } from "./control.ts";
export { REPOSITORIES, type SimRepository } from "./fleet/catalog.ts";
export { type ClusterTruth, type ImageUse, SimCluster } from "./fleet/cluster.ts";
export { restartKubelet } from "./fleet/kubelet-metrics.ts";
export { serviceAccountAnnotations, WORKLOAD_IDENTITY_ANNOTATION } from "./fleet/objects.ts";
export { SimTagStore } from "./fleet/registry.ts";
export {
  INDEX_MEDIA_TYPE,
  type ProbeTruth,
  type RegistryBehaviour,
  type RegistryRequest,
  SimRegistryServer,
} from "./oci/registry-server.ts";
export type { Faults, RequestRecord } from "./server/api-server.ts";
export {
  CLUSTER_NAMES,
  CLUSTER_VERSIONS,
  DEFAULT_START,
  type SimulatedCluster,
  Simulator,
  type SimulatorOptions,
} from "./simulator.ts";
