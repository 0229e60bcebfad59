// Sends what the profiles file's `notifications` ask for, once per collection round: each
// recipient's weekly digest of the last full week (once that week has data), and an alert for
// workloads whose image pulls started failing in the last day. Every message is claimed in the
// delivery log before it is sent, so that it goes out once per subject, recipient and channel,
// however many collectors run; a failed send is retried in later rounds with backoff.
import {
  isoWeekOf,
  isoWeekRange,
  type Notifications,
  parseScopeKey,
  type Recipient,
  type ReviewScope,
} from "@pullsight/core";
import {
  claimDeliveries,
  type Db,
  type Delivery,
  type DeliveryKey,
  finishDelivery,
  getWeeklyReview,
  recentPullFailures,
} from "@pullsight/db";
import { type Logger, silentLogger } from "@pullsight/observe";
import { alertMessage, digestMessage, type Message } from "./messages.ts";
import { type Mailer, postWebhook, type SendOptions, sendEmail, webhookTarget } from "./send.ts";

const DAY = 86_400_000;
/** An alert names findings first seen this recently: older failures were there before anyone asked. */
export const ALERT_WINDOW_MS = DAY;

export interface NotifyOptions {
  notifications: Notifications;
  /** The SMTP mailer (PULLSIGHT_SMTP_URL); without it, email deliveries fail with that reason. */
  mailer: Mailer | null;
  now: Date;
  send?: SendOptions;
  log?: Logger;
}

/** Messages sent and failed in a round (one message per channel target: an alert lists its findings). */
export interface NotifyResult {
  sent: number;
  failed: number;
}

/** The channel targets of a recipient, keyed for the delivery log. */
function targets(r: Recipient): Array<{ channel: "slack" | "email"; target: string }> {
  return [
    ...(r.slackWebhook ? [{ channel: "slack" as const, target: webhookTarget(r.slackWebhook) }] : []),
    ...(r.email ?? []).map((address) => ({ channel: "email" as const, target: address })),
  ];
}

async function deliver(r: Recipient, d: Delivery, message: Message, o: NotifyOptions): Promise<void> {
  if (d.channel === "slack" && r.slackWebhook) return postWebhook(r.slackWebhook, message, o.send);
  if (d.channel === "email") {
    if (!o.mailer)
      throw new Error("no SMTP server configured (set PULLSIGHT_SMTP_URL and PULLSIGHT_SMTP_FROM)");
    return sendEmail(o.mailer, d.target, message, o.send);
  }
  throw new Error(`${r.name} no longer has a ${d.channel} target`);
}

/** Sends one message per claimed channel target and records each outcome. */
async function sendClaimed(
  db: Db,
  r: Recipient,
  claimed: Delivery[],
  messageFor: (rows: Delivery[]) => Promise<Message>,
  o: NotifyOptions,
  tally: NotifyResult,
): Promise<void> {
  const byTarget = new Map<string, Delivery[]>();
  for (const d of claimed)
    byTarget.set(`${d.channel} ${d.target}`, [...(byTarget.get(`${d.channel} ${d.target}`) ?? []), d]);
  for (const rows of byTarget.values()) {
    const ids = rows.map((d) => d.id);
    const first = rows[0] as Delivery;
    try {
      await deliver(r, first, await messageFor(rows), o);
      await finishDelivery(db, ids, { sentAt: new Date() });
      tally.sent += 1;
    } catch (e) {
      const error = e instanceof Error ? e.message : String(e);
      await finishDelivery(db, ids, { error });
      tally.failed += 1;
      (o.log ?? silentLogger).warn("notification not delivered", {
        recipient: r.name,
        kind: first.kind,
        channel: first.channel,
        target: first.target,
        attempt: first.attempts,
        error,
      });
    }
  }
}

async function sendDigest(db: Db, r: Recipient, scope: ReviewScope, o: NotifyOptions, tally: NotifyResult) {
  const week = isoWeekOf(new Date(o.now.getTime() - 7 * DAY));
  const first = await db.snapshot.findFirst({ orderBy: { startedAt: "asc" }, select: { startedAt: true } });
  // A week before anything was collected has nothing to say.
  if (!first || first.startedAt >= isoWeekRange(week).end) return;
  const keys: DeliveryKey[] = targets(r).map((t) => ({
    kind: "digest",
    subject: week,
    recipient: r.name,
    ...t,
  }));
  const claimed = await claimDeliveries(db, keys, o.now);
  if (!claimed.length) return;
  const review = await getWeeklyReview(db, week, scope, o.now);
  const message = digestMessage(review, scope, o.notifications.dashboardUrl);
  await sendClaimed(db, r, claimed, async () => message, o, tally);
}

async function sendAlerts(db: Db, r: Recipient, scope: ReviewScope, o: NotifyOptions, tally: NotifyResult) {
  const failing = await recentPullFailures(db, new Date(o.now.getTime() - ALERT_WINDOW_MS), scope);
  if (!failing.length) return;
  const keys: DeliveryKey[] = failing.flatMap((f) =>
    targets(r).map((t) => ({
      kind: "alert" as const,
      subject: String(f.findingId),
      recipient: r.name,
      ...t,
    })),
  );
  const claimed = await claimDeliveries(db, keys, o.now);
  const byId = new Map(failing.map((f) => [String(f.findingId), f]));
  const messageFor = async (rows: Delivery[]) =>
    alertMessage(
      rows.flatMap((d) => byId.get(d.subject) ?? []),
      scope,
      o.notifications.dashboardUrl,
    );
  await sendClaimed(db, r, claimed, messageFor, o, tally);
}

/** One round of digests and alerts for every recipient. Never throws for a receiver's failure. */
export async function notify(db: Db, o: NotifyOptions): Promise<NotifyResult> {
  const tally: NotifyResult = { sent: 0, failed: 0 };
  for (const r of o.notifications.recipients) {
    const scope = parseScopeKey(r.scope);
    if (!scope) continue; // the profiles file's schema refuses these
    if (r.digest) await sendDigest(db, r, scope, o, tally);
    if (r.alerts) await sendAlerts(db, r, scope, o, tally);
  }
  return tally;
}
