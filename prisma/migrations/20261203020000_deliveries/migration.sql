-- Digests and alerts sent to webhooks and email, one row per subject, recipient and channel (schema.prisma).
CREATE TABLE "Delivery" (
    "id" BIGSERIAL NOT NULL,
    "kind" TEXT NOT NULL,
    "subject" TEXT NOT NULL,
    "recipient" TEXT NOT NULL,
    "channel" TEXT NOT NULL,
    "target" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "lastError" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "attemptedAt" TIMESTAMPTZ(3),
    "sentAt" TIMESTAMPTZ(3),
    CONSTRAINT "Delivery_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "Delivery_kind_subject_recipient_channel_target_key" ON "Delivery"("kind", "subject", "recipient", "channel", "target");
CREATE INDEX "Delivery_createdAt_idx" ON "Delivery"("createdAt");

CREATE TRIGGER pullsight_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "Delivery"
  FOR EACH STATEMENT EXECUTE FUNCTION pullsight_notify_change();
