// One registry as the OCI distribution API serves it: `HEAD /v2/<name>/manifests/<reference>`
// accepting indexes first, and Docker's token flow when the registry answers 401 with a Bearer
// challenge (anonymous unless the operator gave credentials for this registry, which are sent to
// this registry's token realm and nowhere else). HEAD because Docker Hub does not count it as a pull.
import { createHash } from "node:crypto";
import {
  MANIFEST_ACCEPT,
  outcomeOfStatus,
  type ProbeOutcome,
  parseChallenges,
  type RegistryCredentials,
  rateLimitNumber,
  retryAfterAt,
} from "@pullsight/core";

/** What one probe found, with what the lane needs to pace the next ones. */
export interface ProbeResponse {
  outcome: ProbeOutcome;
  httpStatus: number | null;
  digest: string | null;
  detail: string | null;
  latencyMs: number;
  /** Requests this probe sent (the token exchange included). */
  requests: number;
  /** When a 429 says the next request may be sent (ms since epoch). */
  retryAt: number | null;
  rateLimitLimit: number | null;
  rateLimitRemaining: number | null;
  /** Whether the answer was given to credentials (an anonymous 401 says nothing of the reference). */
  credentialed: boolean;
}

/** Credentials to try for a reference, and where they came from (named in refusals, never the secret). */
export interface CredentialCandidate {
  credentials: RegistryCredentials;
  source: string;
}

/** Statuses whose reason a registry writes in the body. */
const EXPLAINED = [401, 403, 404, 412];

interface Token {
  value: string;
  expiresAt: number;
}

export class RegistryClient {
  private readonly tokens = new Map<string, Token>();
  /** The registry's token realm and service, once a challenge named them. */
  private realm: { realm: string; service?: string } | null = null;

  constructor(
    readonly registry: string,
    private readonly endpoint: string,
    private readonly credentials: RegistryCredentials | null,
    private readonly timeoutMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * What the registry says of a reference to the credentials a pull would carry: each candidate in
   * turn, as the kubelet tries a pod's pull secrets, then the operator's; the first answer that is
   * not a refusal of the credentials counts. Without candidates, the operator's or none.
   */
  async head(
    repository: string,
    reference: string,
    candidates: readonly CredentialCandidate[] = [],
  ): Promise<ProbeResponse> {
    const operator = this.credentials ? [{ credentials: this.credentials, source: "the Docker config" }] : [];
    const tries: Array<CredentialCandidate | null> = [...candidates, ...operator];
    if (!tries.length) return this.headAs(repository, reference, null);
    const refused: string[] = [];
    let requests = 0;
    let last: ProbeResponse | null = null;
    for (const candidate of tries) {
      last = await this.headAs(repository, reference, candidate);
      requests += last.requests;
      if (last.outcome !== "unauthorized" || last.retryAt !== null) break;
      refused.push(candidate?.source ?? "anonymous");
    }
    const answer = last as ProbeResponse;
    const detail =
      answer.outcome === "unauthorized" && refused.length > 1
        ? `${answer.detail ?? ""} (refused to every credential held: ${refused.join("; ")})`.trim()
        : answer.outcome === "unauthorized" && refused[0]
          ? `${answer.detail ?? ""} (credentials of ${refused[0]})`.trim()
          : answer.detail;
    return { ...answer, requests, detail };
  }

  private async headAs(
    repository: string,
    reference: string,
    candidate: CredentialCandidate | null,
  ): Promise<ProbeResponse> {
    const started = performance.now();
    const credentials = candidate?.credentials ?? null;
    // Tokens are granted to credentials: one cached for a Secret is never sent on behalf of another.
    const who = credentials
      ? createHash("sha256").update(`${credentials.username}:${credentials.password}`).digest("hex")
      : "anonymous";
    const url = `${this.endpoint}/v2/${repository}/manifests/${reference}`;
    const scope = `repository:${repository}:pull`;
    const result = {
      requests: 0,
      retryAt: null as number | null,
      limit: null as number | null,
      remaining: null as number | null,
    };
    const send = async (target: string, headers: Record<string, string>, method = "HEAD") => {
      result.requests++;
      const res = await fetch(target, {
        method,
        headers,
        signal: AbortSignal.timeout(this.timeoutMs),
        redirect: "follow",
      });
      result.limit = rateLimitNumber(res.headers.get("ratelimit-limit")) ?? result.limit;
      result.remaining = rateLimitNumber(res.headers.get("ratelimit-remaining")) ?? result.remaining;
      if (res.status === 429)
        result.retryAt = retryAfterAt(res.headers.get("retry-after"), this.now()) ?? this.now() + 60_000;
      return res;
    };
    const done = (
      outcome: ProbeOutcome,
      httpStatus: number | null,
      digest: string | null,
      detail: string | null,
    ) => ({
      outcome,
      httpStatus,
      digest,
      detail,
      latencyMs: Math.round(performance.now() - started),
      requests: result.requests,
      retryAt: result.retryAt,
      rateLimitLimit: result.limit,
      rateLimitRemaining: result.remaining,
      credentialed: credentials !== null,
    });
    try {
      const known = await this.knownAuthorization(scope, who, credentials, send);
      if ("refused" in known)
        return done(known.refused.outcome, known.refused.status, null, known.refused.error);
      let auth = known.headers;
      let res = await send(url, { Accept: MANIFEST_ACCEPT, ...auth });
      if (res.status === 401) {
        const challenge = parseChallenges(res.headers.get("www-authenticate") ?? "")[0];
        const retry = challenge ? await this.authorize(challenge, scope, who, credentials, send) : null;
        if (retry && "error" in retry) return done(retry.outcome, retry.status, null, retry.error);
        if (retry) {
          auth = { Authorization: retry.header };
          res = await send(url, { Accept: MANIFEST_ACCEPT, ...auth });
        }
      }
      // The registry's reason (manifest unknown, denied, shutting down) is in the body HEAD omits; a
      // GET that fails is not a pull on Docker Hub, so only failures are asked again.
      if (EXPLAINED.includes(res.status)) res = await send(url, { Accept: MANIFEST_ACCEPT, ...auth }, "GET");
      const outcome = outcomeOfStatus(res.status);
      const digest = res.headers.get("docker-content-digest");
      if (outcome === "resolved" && !digest)
        return done("failing", res.status, null, "answered without a Docker-Content-Digest");
      return done(
        outcome,
        res.status,
        outcome === "resolved" ? digest : null,
        outcome === "resolved" ? null : await errorOf(res),
      );
    } catch (error) {
      return done("unreachable", null, null, describeFailure(error));
    }
  }

  /**
   * The Authorization for a repository without asking the registry first: a token still valid for
   * its scope, or, once the registry has named its token realm, a new token for this scope (two
   * requests per new repository instead of three).
   */
  private async knownAuthorization(
    scope: string,
    who: string,
    credentials: RegistryCredentials | null,
    send: (url: string, headers: Record<string, string>, method?: string) => Promise<Response>,
  ): Promise<
    | { headers: Record<string, string> }
    | { refused: { outcome: ProbeOutcome; status: number; error: string } }
  > {
    const cached = this.tokens.get(`${who} ${scope}`);
    if (cached && cached.expiresAt > this.now())
      return { headers: { Authorization: `Bearer ${cached.value}` } };
    if (!this.realm) return { headers: {} };
    const got = await this.authorize(
      { scheme: "Bearer", params: { ...this.realm, scope } },
      scope,
      who,
      credentials,
      send,
    );
    if (!got) return { headers: {} };
    return "error" in got ? { refused: got } : { headers: { Authorization: got.header } };
  }

  /** The Authorization header a challenge asks for, or the token endpoint's refusal. */
  private async authorize(
    challenge: { scheme: string; params: Record<string, string> },
    scope: string,
    who: string,
    credentials: RegistryCredentials | null,
    send: (url: string, headers: Record<string, string>, method?: string) => Promise<Response>,
  ): Promise<{ header: string } | { outcome: ProbeOutcome; status: number; error: string } | null> {
    const basic = credentials
      ? `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString("base64")}`
      : null;
    if (challenge.scheme.toLowerCase() === "basic") return basic ? { header: basic } : null;
    if (challenge.scheme.toLowerCase() !== "bearer" || !challenge.params.realm) return null;
    this.realm = {
      realm: challenge.params.realm,
      ...(challenge.params.service ? { service: challenge.params.service } : {}),
    };
    const realm = new URL(challenge.params.realm);
    if (challenge.params.service) realm.searchParams.set("service", challenge.params.service);
    realm.searchParams.set("scope", challenge.params.scope ?? scope);
    const res = await send(realm.toString(), basic ? { Authorization: basic } : {}, "GET");
    if (!res.ok)
      return {
        outcome: outcomeOfStatus(res.status),
        status: res.status,
        error: `token: ${await errorOf(res)}`,
      };
    const body = (await res.json().catch(() => ({}))) as {
      token?: string;
      access_token?: string;
      expires_in?: number;
    };
    const value = body.token ?? body.access_token;
    if (!value)
      return { outcome: "failing", status: res.status, error: "token endpoint answered without a token" };
    const lifetime = Math.max(60, body.expires_in ?? 60) * 1000;
    this.tokens.set(`${who} ${challenge.params.scope ?? scope}`, {
      value,
      expiresAt: this.now() + lifetime - 10_000,
    });
    return { header: `Bearer ${value}` };
  }
}

/** The registry's own words: the first error of an OCI error body, else the status text. */
async function errorOf(res: Response): Promise<string> {
  const text = await res.text().catch(() => "");
  try {
    const first = (JSON.parse(text) as { errors?: { code?: string; message?: string }[] }).errors?.[0];
    if (first) return `${res.status} ${[first.code, first.message].filter(Boolean).join(": ")}`;
  } catch {}
  return `${res.status} ${res.statusText || text.slice(0, 200)}`.trim();
}

function describeFailure(error: unknown): string {
  const e = error as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e.name === "TimeoutError") return "no answer before the timeout";
  return e.cause?.code ?? e.cause?.message ?? e.message ?? String(error);
}
