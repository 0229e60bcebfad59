-- Events that arrived before a snapshot knew their pod wait here for one that does: every
-- snapshot asks for them by cluster, and they are few against all the cluster's events. Prisma's
-- schema language cannot express a partial index, so it lives only here.
CREATE INDEX "PullEvent_unlinked_idx" ON "PullEvent"("clusterId", "namespace", "podName") WHERE "workloadId" IS NULL;
