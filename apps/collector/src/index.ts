export { createLogger, type Logger, silentLogger } from "@pullsight/observe";
export {
  type BackfillOptions,
  type BackfillResult,
  backfill,
  type DrivableClock,
  simulatorClock,
} from "./backfill.ts";
export {
  type ClusterOutcome,
  COLLECTOR_VERSION,
  type CollectOptions,
  collectCluster,
  collectFleet,
} from "./collect.ts";
export { DbHandle } from "./db-handle.ts";
export { EventWatcher, toPullEvent, type WatcherStats } from "./event-watch.ts";
export { buildClusterFacts } from "./facts.ts";
export { FactsMemory, FleetFactsMemory } from "./facts-memory.ts";
export { boundHeapGrowth, HEAP_GROWING_PERCENT } from "./heap.ts";
export {
  type ClusterClient,
  type ClusterSource,
  createClusterClient,
  kubeconfigContexts,
  loadKubeConfig,
} from "./k8s/client.ts";
export { KINDS, METADATA_LIST } from "./k8s/kinds.ts";
export { ClusterMirror, FleetMirror, type MirrorOptions } from "./k8s/mirror.ts";
export { PAGE_SIZE, readCluster } from "./k8s/reader.ts";
export { type ProbeOptions, probeImages, probeRound, type RoundReport } from "./probe/round.ts";
export { CollectorService, type ServiceOptions } from "./service.ts";
