-- AlterTable
ALTER TABLE "Snapshot" ADD COLUMN     "completeKinds" TEXT[] DEFAULT ARRAY[]::TEXT[],
ADD COLUMN     "evaluableRules" TEXT[] DEFAULT ARRAY[]::TEXT[];

-- AlterTable
ALTER TABLE "Cluster" ADD COLUMN     "confirmations" JSONB NOT NULL DEFAULT '{}';

-- AlterTable
ALTER TABLE "Finding" ADD COLUMN     "clearingSince" TIMESTAMPTZ(3),
ADD COLUMN     "evidenceHash" TEXT NOT NULL DEFAULT '',
ADD COLUMN     "evidenceSince" TIMESTAMPTZ(3),
ADD COLUMN     "evidenceSnapshotId" BIGINT,
ADD COLUMN     "firstSeenAt" TIMESTAMPTZ(3),
ADD COLUMN     "openedFrom" TEXT NOT NULL DEFAULT 'snapshot',
ADD COLUMN     "unverifiedSince" TIMESTAMPTZ(3),
ADD COLUMN     "versionSince" TIMESTAMPTZ(3);

-- CreateTable
CREATE TABLE "FindingEvidence" (
    "id" BIGSERIAL NOT NULL,
    "findingId" BIGINT NOT NULL,
    "validFrom" TIMESTAMPTZ(3) NOT NULL,
    "validTo" TIMESTAMPTZ(3) NOT NULL,
    "snapshotId" BIGINT NOT NULL,
    "severity" "FindingSeverity" NOT NULL,
    "image" TEXT,
    "evidence" JSONB NOT NULL DEFAULT '{}',
    "evidenceSince" TIMESTAMPTZ(3),
    "clearingSince" TIMESTAMPTZ(3),

    CONSTRAINT "FindingEvidence_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "FindingEvidence_findingId_validFrom_idx" ON "FindingEvidence"("findingId", "validFrom");

-- AddForeignKey
ALTER TABLE "FindingEvidence" ADD CONSTRAINT "FindingEvidence_findingId_fkey" FOREIGN KEY ("findingId") REFERENCES "Finding"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Findings written before this migration: their stored evidence is the opening snapshot's.
UPDATE "Finding" SET "firstSeenAt" = "openedAt", "evidenceSince" = "openedAt", "versionSince" = "openedAt",
  "evidenceSnapshotId" = "openedSnapshotId";

-- The read cache forgets answers when this table changes too (see 20261121203000_change_notify).
CREATE TRIGGER pullsight_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "FindingEvidence"
  FOR EACH STATEMENT EXECUTE FUNCTION pullsight_notify_change();

-- A failing pod's first failed pull (packages/db/src/queries/pull-stats.ts, getPullFailureStarts).
CREATE INDEX "PullEvent_clusterId_namespace_podName_idx" ON "PullEvent"("clusterId", "namespace", "podName");
