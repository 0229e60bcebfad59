// Sending a message to a Slack-compatible incoming webhook (HTTP POST of {"text": …}) or by email
// over SMTP (nodemailer). Each send is retried a few times within seconds (p-retry) when the
// receiver fails in a way that may pass: a network error, a 429 or a 5xx, a 4xx SMTP reply; a
// definite refusal (another 4xx, a 5xx SMTP reply) fails at once. Across collection rounds, the
// delivery log retries with a longer backoff (packages/db deliveries.ts).
import nodemailer, { type Transporter } from "nodemailer";
import pRetry, { AbortError } from "p-retry";
import type { Message } from "./messages.ts";

export interface SendOptions {
  /** Tries per send (the first included). */
  retries?: number;
  /** First retry's wait; it doubles. */
  minTimeoutMs?: number;
  timeoutMs?: number;
}

const DEFAULTS = { retries: 3, minTimeoutMs: 500, timeoutMs: 10_000 };

/** Where a webhook points, for logs and the delivery log: its origin, never its secret path. */
export const webhookTarget = (url: string) => new URL(url).origin;

export async function postWebhook(url: string, message: Message, opts: SendOptions = {}): Promise<void> {
  const o = { ...DEFAULTS, ...opts };
  await pRetry(
    async () => {
      const res = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ text: message.text }),
        signal: AbortSignal.timeout(o.timeoutMs),
      });
      if (res.ok) return;
      const detail =
        `${webhookTarget(url)} answered ${res.status} ${(await res.text()).slice(0, 200)}`.trim();
      if (res.status === 429 || res.status >= 500) throw new Error(detail);
      throw new AbortError(detail);
    },
    { retries: o.retries - 1, minTimeout: o.minTimeoutMs, factor: 2 },
  );
}

export interface Mailer {
  transport: Transporter;
  from: string;
}

/** An SMTP mailer from a URL (smtp:// or smtps://, credentials in it) and a sender address. */
export function smtpMailer(url: string, from: string): Mailer {
  return { transport: nodemailer.createTransport(url), from };
}

export async function sendEmail(
  mailer: Mailer,
  to: string,
  message: Message,
  opts: SendOptions = {},
): Promise<void> {
  const o = { ...DEFAULTS, ...opts };
  await pRetry(
    async () => {
      try {
        await mailer.transport.sendMail({
          from: mailer.from,
          to,
          subject: message.subject,
          text: message.text,
        });
      } catch (e) {
        const code = (e as { responseCode?: number }).responseCode;
        // A 5xx reply is permanent (no such mailbox, refused); 4xx and connection errors may pass.
        if (code !== undefined && code >= 500)
          throw new AbortError(e instanceof Error ? e.message : String(e));
        throw e;
      }
    },
    { retries: o.retries - 1, minTimeout: o.minTimeoutMs, factor: 2 },
  );
}
