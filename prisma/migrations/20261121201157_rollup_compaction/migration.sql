-- AlterTable
ALTER TABLE "Cluster" ADD COLUMN     "rollupsCompactedBefore" TIMESTAMPTZ(3);
