-- CreateTable
CREATE TABLE "Namespace" (
    "clusterId" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "labels" JSONB NOT NULL DEFAULT '{}',
    "profile" TEXT NOT NULL,
    "firstSeenAt" TIMESTAMPTZ(3) NOT NULL,
    "lastSeenAt" TIMESTAMPTZ(3) NOT NULL,
    "deletedAt" TIMESTAMPTZ(3),

    CONSTRAINT "Namespace_pkey" PRIMARY KEY ("clusterId","name")
);

-- CreateTable
CREATE TABLE "Waiver" (
    "id" SERIAL NOT NULL,
    "ruleId" TEXT NOT NULL,
    "cluster" TEXT,
    "namespace" TEXT,
    "workloadKind" TEXT,
    "workloadName" TEXT,
    "imagePattern" TEXT,
    "imageLike" TEXT,
    "reason" TEXT NOT NULL,
    "owner" TEXT NOT NULL,
    "createdBy" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMPTZ(3) NOT NULL,
    "revokedAt" TIMESTAMPTZ(3),
    "revokedBy" TEXT,
    "revokeReason" TEXT,

    CONSTRAINT "Waiver_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Review" (
    "id" SERIAL NOT NULL,
    "isoWeek" TEXT NOT NULL,
    "scope" TEXT NOT NULL,
    "reviewer" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "notes" TEXT NOT NULL,
    "signedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "summary" JSONB NOT NULL,

    CONSTRAINT "Review_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ExportLog" (
    "id" BIGSERIAL NOT NULL,
    "kind" TEXT NOT NULL,
    "actor" TEXT NOT NULL,
    "startedAt" TIMESTAMPTZ(3) NOT NULL,
    "finishedAt" TIMESTAMPTZ(3),
    "filters" JSONB NOT NULL DEFAULT '{}',
    "filename" TEXT NOT NULL,
    "rows" INTEGER NOT NULL DEFAULT 0,
    "bytes" BIGINT NOT NULL DEFAULT 0,
    "sha256" TEXT,
    "completed" BOOLEAN NOT NULL DEFAULT false,
    "error" TEXT,

    CONSTRAINT "ExportLog_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Waiver_ruleId_expiresAt_idx" ON "Waiver"("ruleId", "expiresAt");

-- CreateIndex
CREATE INDEX "Waiver_expiresAt_idx" ON "Waiver"("expiresAt");

-- CreateIndex
CREATE INDEX "Review_signedAt_idx" ON "Review"("signedAt");

-- CreateIndex
CREATE UNIQUE INDEX "Review_isoWeek_scope_key" ON "Review"("isoWeek", "scope");

-- CreateIndex
CREATE INDEX "ExportLog_startedAt_idx" ON "ExportLog"("startedAt");

-- AddForeignKey
ALTER TABLE "Namespace" ADD CONSTRAINT "Namespace_clusterId_fkey" FOREIGN KEY ("clusterId") REFERENCES "Cluster"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- A signed review is immutable: updates and deletes of its rows do nothing (added by hand).
CREATE RULE "Review_no_update" AS ON UPDATE TO "Review" DO INSTEAD NOTHING;

CREATE RULE "Review_no_delete" AS ON DELETE TO "Review" DO INSTEAD NOTHING;
