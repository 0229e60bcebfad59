-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "SnapshotStatus" AS ENUM ('running', 'complete', 'partial', 'failed');

-- CreateEnum
CREATE TYPE "ContainerType" AS ENUM ('container', 'init', 'ephemeral');

-- CreateEnum
CREATE TYPE "FindingSeverity" AS ENUM ('info', 'low', 'medium', 'high', 'critical');

-- CreateTable
CREATE TABLE "Cluster" (
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "server" TEXT,
    "labels" JSONB NOT NULL DEFAULT '{}',
    "kubernetesVersion" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastSnapshotId" BIGINT,
    "lastSnapshotAt" TIMESTAMPTZ(3),

    CONSTRAINT "Cluster_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Snapshot" (
    "id" BIGSERIAL NOT NULL,
    "clusterId" INTEGER NOT NULL,
    "startedAt" TIMESTAMPTZ(3) NOT NULL,
    "finishedAt" TIMESTAMPTZ(3),
    "status" "SnapshotStatus" NOT NULL,
    "failures" JSONB NOT NULL DEFAULT '[]',
    "collectorVersion" TEXT NOT NULL,
    "rulesVersion" TEXT NOT NULL,
    "stats" JSONB NOT NULL DEFAULT '{}',

    CONSTRAINT "Snapshot_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Workload" (
    "id" BIGSERIAL NOT NULL,
    "clusterId" INTEGER NOT NULL,
    "namespace" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "uid" TEXT,
    "serviceAccount" TEXT,
    "labels" JSONB NOT NULL DEFAULT '{}',
    "firstSeenAt" TIMESTAMPTZ(3) NOT NULL,
    "lastSeenAt" TIMESTAMPTZ(3) NOT NULL,
    "deletedAt" TIMESTAMPTZ(3),

    CONSTRAINT "Workload_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ContainerFact" (
    "id" BIGSERIAL NOT NULL,
    "workloadId" BIGINT NOT NULL,
    "containerName" TEXT NOT NULL,
    "containerType" "ContainerType" NOT NULL,
    "image" TEXT NOT NULL,
    "registry" TEXT NOT NULL,
    "repository" TEXT NOT NULL,
    "tag" TEXT,
    "digest" TEXT,
    "tagKind" TEXT NOT NULL,
    "registryVisibility" TEXT NOT NULL,
    "imagePullPolicy" TEXT NOT NULL,
    "policySource" TEXT NOT NULL,
    "policyEvidence" TEXT NOT NULL,
    "pullSecrets" TEXT[],
    "factHash" TEXT NOT NULL,
    "validFrom" TIMESTAMPTZ(3) NOT NULL,
    "validTo" TIMESTAMPTZ(3),
    "validFromSnapshot" BIGINT NOT NULL,
    "validToSnapshot" BIGINT,

    CONSTRAINT "ContainerFact_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "RunningImage" (
    "id" BIGSERIAL NOT NULL,
    "workloadId" BIGINT NOT NULL,
    "containerName" TEXT NOT NULL,
    "nodeName" TEXT NOT NULL,
    "image" TEXT NOT NULL,
    "digest" TEXT,
    "pods" INTEGER NOT NULL,
    "validFrom" TIMESTAMPTZ(3) NOT NULL,
    "validTo" TIMESTAMPTZ(3),
    "validFromSnapshot" BIGINT NOT NULL,
    "validToSnapshot" BIGINT,

    CONSTRAINT "RunningImage_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Finding" (
    "id" BIGSERIAL NOT NULL,
    "clusterId" INTEGER NOT NULL,
    "workloadId" BIGINT,
    "namespace" TEXT NOT NULL,
    "containerName" TEXT,
    "ruleId" TEXT NOT NULL,
    "severity" "FindingSeverity" NOT NULL,
    "fingerprint" TEXT NOT NULL,
    "image" TEXT,
    "evidence" JSONB NOT NULL DEFAULT '{}',
    "openedAt" TIMESTAMPTZ(3) NOT NULL,
    "openedSnapshotId" BIGINT NOT NULL,
    "lastSeenSnapshotId" BIGINT NOT NULL,
    "resolvedAt" TIMESTAMPTZ(3),
    "resolvedSnapshotId" BIGINT,

    CONSTRAINT "Finding_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "PullEvent" (
    "id" BIGSERIAL NOT NULL,
    "clusterId" INTEGER NOT NULL,
    "uid" TEXT NOT NULL,
    "namespace" TEXT NOT NULL,
    "podName" TEXT NOT NULL,
    "containerName" TEXT,
    "workloadId" BIGINT,
    "nodeName" TEXT,
    "reason" TEXT NOT NULL,
    "image" TEXT,
    "registry" TEXT,
    "alreadyPresent" BOOLEAN NOT NULL DEFAULT false,
    "pullDurationMs" DOUBLE PRECISION,
    "waitingDurationMs" DOUBLE PRECISION,
    "imageSizeBytes" BIGINT,
    "failureCause" TEXT,
    "message" TEXT NOT NULL,
    "count" INTEGER NOT NULL DEFAULT 1,
    "firstTimestamp" TIMESTAMPTZ(3) NOT NULL,
    "lastTimestamp" TIMESTAMPTZ(3) NOT NULL,
    "resourceVersion" TEXT,

    CONSTRAINT "PullEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "PostureRollup" (
    "snapshotId" BIGINT NOT NULL,
    "clusterId" INTEGER NOT NULL,
    "namespace" TEXT NOT NULL,
    "takenAt" TIMESTAMPTZ(3) NOT NULL,
    "workloads" INTEGER NOT NULL,
    "containers" INTEGER NOT NULL,
    "compliant" INTEGER NOT NULL,
    "score" DOUBLE PRECISION NOT NULL,
    "byPolicy" JSONB NOT NULL DEFAULT '{}',
    "byPolicySource" JSONB NOT NULL DEFAULT '{}',
    "byTagKind" JSONB NOT NULL DEFAULT '{}',
    "byRegistry" JSONB NOT NULL DEFAULT '{}',
    "findingsByRule" JSONB NOT NULL DEFAULT '{}',
    "findingsBySeverity" JSONB NOT NULL DEFAULT '{}',

    CONSTRAINT "PostureRollup_pkey" PRIMARY KEY ("snapshotId","namespace")
);

-- CreateTable
CREATE TABLE "PullLatencyDaily" (
    "clusterId" INTEGER NOT NULL,
    "day" DATE NOT NULL,
    "registry" TEXT NOT NULL,
    "pulls" INTEGER NOT NULL,
    "alreadyPresent" INTEGER NOT NULL,
    "failures" INTEGER NOT NULL,
    "p50Ms" DOUBLE PRECISION,
    "p95Ms" DOUBLE PRECISION,
    "maxMs" DOUBLE PRECISION,
    "failuresByCause" JSONB NOT NULL DEFAULT '{}',
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "PullLatencyDaily_pkey" PRIMARY KEY ("clusterId","day","registry")
);

-- CreateIndex
CREATE UNIQUE INDEX "Cluster_name_key" ON "Cluster"("name");

-- CreateIndex
CREATE INDEX "Snapshot_clusterId_startedAt_idx" ON "Snapshot"("clusterId", "startedAt" DESC);

-- CreateIndex
CREATE INDEX "Snapshot_startedAt_idx" ON "Snapshot"("startedAt");

-- CreateIndex
CREATE INDEX "Workload_clusterId_deletedAt_idx" ON "Workload"("clusterId", "deletedAt");

-- CreateIndex
CREATE INDEX "Workload_name_idx" ON "Workload"("name");

-- CreateIndex
CREATE UNIQUE INDEX "Workload_clusterId_namespace_kind_name_key" ON "Workload"("clusterId", "namespace", "kind", "name");

-- CreateIndex
CREATE INDEX "ContainerFact_workloadId_validTo_idx" ON "ContainerFact"("workloadId", "validTo");

-- CreateIndex
CREATE INDEX "ContainerFact_validTo_tagKind_idx" ON "ContainerFact"("validTo", "tagKind");

-- CreateIndex
CREATE INDEX "ContainerFact_registry_idx" ON "ContainerFact"("registry");

-- CreateIndex
CREATE INDEX "RunningImage_workloadId_validTo_idx" ON "RunningImage"("workloadId", "validTo");

-- CreateIndex
CREATE INDEX "Finding_clusterId_resolvedAt_idx" ON "Finding"("clusterId", "resolvedAt");

-- CreateIndex
CREATE INDEX "Finding_fingerprint_resolvedAt_idx" ON "Finding"("fingerprint", "resolvedAt");

-- CreateIndex
CREATE INDEX "Finding_ruleId_resolvedAt_idx" ON "Finding"("ruleId", "resolvedAt");

-- CreateIndex
CREATE INDEX "Finding_workloadId_idx" ON "Finding"("workloadId");

-- CreateIndex
CREATE INDEX "Finding_openedAt_idx" ON "Finding"("openedAt");

-- CreateIndex
CREATE INDEX "PullEvent_clusterId_lastTimestamp_idx" ON "PullEvent"("clusterId", "lastTimestamp");

-- CreateIndex
CREATE INDEX "PullEvent_workloadId_lastTimestamp_idx" ON "PullEvent"("workloadId", "lastTimestamp");

-- CreateIndex
CREATE INDEX "PullEvent_lastTimestamp_idx" ON "PullEvent"("lastTimestamp");

-- CreateIndex
CREATE UNIQUE INDEX "PullEvent_clusterId_uid_key" ON "PullEvent"("clusterId", "uid");

-- CreateIndex
CREATE INDEX "PostureRollup_clusterId_namespace_takenAt_idx" ON "PostureRollup"("clusterId", "namespace", "takenAt");

-- CreateIndex
CREATE INDEX "PostureRollup_takenAt_idx" ON "PostureRollup"("takenAt");

-- CreateIndex
CREATE INDEX "PullLatencyDaily_day_idx" ON "PullLatencyDaily"("day");

-- AddForeignKey
ALTER TABLE "Snapshot" ADD CONSTRAINT "Snapshot_clusterId_fkey" FOREIGN KEY ("clusterId") REFERENCES "Cluster"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Workload" ADD CONSTRAINT "Workload_clusterId_fkey" FOREIGN KEY ("clusterId") REFERENCES "Cluster"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ContainerFact" ADD CONSTRAINT "ContainerFact_workloadId_fkey" FOREIGN KEY ("workloadId") REFERENCES "Workload"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "RunningImage" ADD CONSTRAINT "RunningImage_workloadId_fkey" FOREIGN KEY ("workloadId") REFERENCES "Workload"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Finding" ADD CONSTRAINT "Finding_clusterId_fkey" FOREIGN KEY ("clusterId") REFERENCES "Cluster"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Finding" ADD CONSTRAINT "Finding_workloadId_fkey" FOREIGN KEY ("workloadId") REFERENCES "Workload"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PullEvent" ADD CONSTRAINT "PullEvent_clusterId_fkey" FOREIGN KEY ("clusterId") REFERENCES "Cluster"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PullEvent" ADD CONSTRAINT "PullEvent_workloadId_fkey" FOREIGN KEY ("workloadId") REFERENCES "Workload"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- At most one open episode per finding subject. Prisma's schema language cannot express a
-- partial unique index, so it lives only here (prisma migrate diff between schemas ignores it).
CREATE UNIQUE INDEX "Finding_open_fingerprint_key" ON "Finding"("clusterId", "fingerprint") WHERE "resolvedAt" IS NULL;
