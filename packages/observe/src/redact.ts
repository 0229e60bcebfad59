// What never reaches a log line: passwords in connection URLs, bearer tokens and basic
// credentials, and the values of fields whose names say they are secret. pino's own `redact`
// censors known paths; a secret inside a message or an error's text has no path, so every string
// is scrubbed as well.

export const REDACTED = "[redacted]";

/** Field names whose values are secret wherever they appear (compared without case or separators). */
const SECRET_KEYS = new Set([
  "password",
  "passwd",
  "secret",
  "token",
  "accesstoken",
  "refreshtoken",
  "idtoken",
  "authorization",
  "cookie",
  "setcookie",
  "apikey",
  "clientsecret",
  "databaseurl",
  "migrationurl",
  "smtpurl",
  "slackwebhook",
  "webhook",
  "privatekey",
]);

export const isSecretKey = (key: string) => SECRET_KEYS.has(key.toLowerCase().replace(/[-_]/g, ""));

const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s:/@]+):([^\s/@]+)@/gi;
const AUTH_SCHEME = /\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]+/gi;
const SLACK_HOOK = /https:\/\/hooks\.slack\.com\/[^\s"']+/gi;

/** The text with credentials in URLs, bearer and basic credentials and Slack hook URLs replaced. */
export function scrub(text: string): string {
  return text
    .replace(URL_CREDENTIALS, `$1$2:${REDACTED}@`)
    .replace(AUTH_SCHEME, `$1 ${REDACTED}`)
    .replace(SLACK_HOOK, `https://hooks.slack.com/${REDACTED}`);
}

/** A copy of `value` with secret-named fields censored and every string scrubbed. */
export function redactValue(value: unknown, depth = 0): unknown {
  if (typeof value === "string") return scrub(value);
  if (typeof value === "bigint") return String(value);
  if (value === null || typeof value !== "object" || depth > 8) return value;
  if (value instanceof Error) {
    return { type: value.name, message: scrub(value.message), stack: value.stack && scrub(value.stack) };
  }
  if (Array.isArray(value)) return value.map((v) => redactValue(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = isSecretKey(k) ? REDACTED : redactValue(v, depth + 1);
  return out;
}
