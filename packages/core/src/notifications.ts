// Who hears from Pullsight, and how: a weekly digest per team and for the fleet, and an alert when
// a workload starts failing to pull, sent to Slack-compatible incoming webhooks and to email. It is
// part of the profiles file (a reviewed file, like owners and severities); the SMTP server and its
// credentials come from the collector's environment, never from this file.
import { z } from "zod";
import { parseScopeKey } from "./review-scope.ts";

const recipient = z
  .object({
    name: z.string().trim().min(1).max(100).describe("Who this is: shown in the delivery log."),
    scope: z
      .string()
      .refine((v) => ["fleet", "team"].includes(parseScopeKey(v)?.kind ?? ""), {
        error: 'a scope: "fleet" or "team:NAME"',
      })
      .describe('"fleet", or "team:NAME" for one team\'s namespaces.'),
    slackWebhook: z
      .url({ protocol: /^https?$/, error: "an http(s) URL of an incoming webhook" })
      .optional()
      .describe("A Slack-compatible incoming webhook (Slack, Mattermost, Rocket.Chat)."),
    email: z.array(z.email()).max(50).optional().describe("Addresses mailed over SMTP."),
    digest: z.boolean().default(true).describe("The weekly digest, on the Monday after each week."),
    alerts: z.boolean().default(true).describe("An alert when a workload starts failing to pull."),
  })
  .strict()
  .refine((r) => r.slackWebhook || r.email?.length, {
    error: "a recipient needs a slackWebhook or an email address",
  });

export const notificationsSchema = z
  .object({
    dashboardUrl: z.url().optional().describe("Where links in digests and alerts point."),
    recipients: z.array(recipient).default([]),
  })
  .strict();
export type Notifications = z.infer<typeof notificationsSchema>;
export type Recipient = Notifications["recipients"][number];
