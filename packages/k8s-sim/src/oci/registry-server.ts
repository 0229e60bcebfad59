// The fleet's registries over HTTP, as the OCI distribution API and Docker's token flow serve
// them: `HEAD /v2/<name>/manifests/<reference>` answers with the tag's digest now (the shared tag
// store), a bearer token comes from the realm the 401 names (anonymous for public repositories,
// Basic credentials for private ones), and each registry can be made to misbehave as real ones do:
// down (the connection hangs), refusing by policy (412, a registry shutting down), failing (503),
// rate-limited (429 with Retry-After), tags deleted. Every registry is served under a path prefix
// of one port (`http://127.0.0.1:PORT/<registry>`), so a client maps registry names to endpoints.
import { randomBytes } from "node:crypto";
import type http from "node:http";
import { REPOSITORIES, type SimRepository } from "../fleet/catalog.ts";
import type { SimTagStore } from "../fleet/registry.ts";
import { ClusterListener } from "../server/listener.ts";

export const INDEX_MEDIA_TYPE = "application/vnd.oci.image.index.v1+json";

export interface RegistryBehaviour {
  /** ok; down: requests are accepted and never answered; refusing: 412; failing: 503. */
  mode: "ok" | "down" | "refusing" | "failing";
  /** Requests per window (fixed, a minute unless set) before 429 with Retry-After. */
  rateLimit?: { requests: number; windowMs?: number };
  /** What private repositories accept at the token endpoint. */
  credentials?: { username: string; password: string };
  /** Further accounts it accepts (the robot accounts behind clusters' pull Secrets). */
  accounts?: ReadonlyArray<{ username: string; password: string }>;
}

type Account = { username: string; password: string };

const accepts = (b: RegistryBehaviour, user: string | undefined, password: string | undefined) =>
  [...(b.credentials ? [b.credentials] : []), ...(b.accounts ?? [])].some(
    (a) => a.username === user && a.password === password,
  );

/** One request as the registry saw it, for tests to check the client's manners. */
export interface RegistryRequest {
  at: number;
  registry: string;
  method: string;
  path: string;
  status: number;
  /** Basic user at the token endpoint, "bearer" on the API, or "none". */
  auth: string;
  /** Arrived while an earlier 429's Retry-After had not passed. */
  beforeRetryAfter: boolean;
}

/** What a careful client must conclude about a reference, given the credentials it holds. */
export type ProbeTruth =
  | { outcome: "resolved"; digest: string }
  | { outcome: "not-found" | "unauthorized" | "refused" | "unreachable" | "failing" };

interface Window {
  start: number;
  count: number;
  retryAfterUntil: number;
  refusedAt: number;
}

/** Requests in flight when a 429 was sent cannot have read it: they are not counted as early. */
const IN_FLIGHT_GRACE_MS = 250;

const REFUSAL =
  "Container Registry is deprecated and shutting down, please use the auto migration tool to migrate to Artifact Registry";

export class SimRegistryServer {
  readonly requests: RegistryRequest[] = [];
  private readonly behaviours = new Map<string, RegistryBehaviour>();
  private readonly deleted = new Set<string>();
  private readonly tokens = new Map<string, { registry: string; repositories: Set<string> }>();
  private readonly windows = new Map<string, Window>();
  private readonly hanging = new Set<http.ServerResponse>();
  /** Repositories beyond the fleet's catalogue (benchmarks ask about many). */
  private readonly extra = new Map<string, SimRepository>();
  private readonly listener: ClusterListener;

  constructor(
    private readonly store: SimTagStore,
    host = "127.0.0.1",
  ) {
    this.listener = new ClusterListener((req, res) => this.handle(req, res), null, host);
  }

  async start(port = 0) {
    await this.listener.start(port);
  }

  async stop() {
    for (const res of this.hanging) res.destroy();
    this.hanging.clear();
    await this.listener.stop();
  }

  /** Where a client reaches a registry: its name as a path prefix of this server. */
  endpoint(registry: string): string {
    return `${this.listener.url}/${registry}`;
  }

  /** Every registry the fleet's images come from. */
  get registries(): string[] {
    return [...new Set(REPOSITORIES.map((r) => r.registry))];
  }

  behaviour(registry: string): RegistryBehaviour {
    return this.behaviours.get(registry) ?? { mode: "ok" };
  }

  set(registry: string, patch: Partial<RegistryBehaviour>) {
    this.behaviours.set(registry, { ...this.behaviour(registry), ...patch });
    if (patch.mode && patch.mode !== "down") {
      for (const res of this.hanging) res.destroy();
      this.hanging.clear();
    }
  }

  /** Serves one more repository (its tags resolve like the catalogue's). */
  addRepository(repo: SimRepository) {
    this.extra.set(repo.canonical, repo);
  }

  private repositoryOf(registry: string, name: string): SimRepository | undefined {
    const canonical = `${registry}/${name}`;
    return (
      this.extra.get(canonical) ??
      REPOSITORIES.find((r) => r.registry === registry && r.canonical === canonical)
    );
  }

  /** The registry forgets a tag (a repository cleaned up, an image moved elsewhere). */
  deleteTag(repository: string, tag: string) {
    this.deleted.add(`${repository}:${tag}`);
  }

  /** What a client holding these credentials (by registry) must find for one reference. */
  truth(
    registry: string,
    name: string,
    reference: string,
    credentials: ReadonlyMap<string, Account>,
  ): ProbeTruth {
    return this.truthAs(registry, name, reference, credentials.get(registry) ?? null);
  }

  /**
   * What a client trying these credentials in turn (a pod's pull Secrets, then its own) must find:
   * the first answer that is not a refusal of the credentials, as the kubelet's keyring does.
   */
  truthTrying(registry: string, name: string, reference: string, tries: ReadonlyArray<Account>): ProbeTruth {
    let last: ProbeTruth = this.truthAs(registry, name, reference, null);
    for (const held of tries) {
      last = this.truthAs(registry, name, reference, held);
      if (last.outcome !== "unauthorized") return last;
    }
    return last;
  }

  private truthAs(registry: string, name: string, reference: string, held: Account | null): ProbeTruth {
    const b = this.behaviour(registry);
    if (b.mode === "down") return { outcome: "unreachable" };
    if (b.mode === "refusing") return { outcome: "refused" };
    if (b.mode === "failing") return { outcome: "failing" };
    const repo = this.repositoryOf(registry, name);
    if (!repo) return { outcome: "not-found" };
    const valid = !!held && accepts(b, held.username, held.password);
    // Wrong credentials are refused at the token endpoint, for public repositories too.
    if (held && !valid) return { outcome: "unauthorized" };
    if (repo.private && !valid) return { outcome: "unauthorized" };
    const digest = this.resolve(repo, name, reference);
    return digest ? { outcome: "resolved", digest } : { outcome: "not-found" };
  }

  private resolve(repo: SimRepository, name: string, reference: string): string | null {
    if (reference.startsWith("sha256:")) return this.store.digestsOf(repo).has(reference) ? reference : null;
    if (this.deleted.has(`${repo.written}:${reference}`) || this.deleted.has(`${name}:${reference}`))
      return null;
    // "latest" is the tag a reference without one names; a catalogue writes it as "".
    const tag = reference === "latest" && !repo.tags.some((t) => t.tag === "latest") ? "" : reference;
    const catalogued = repo.tags.some((t) => (t.tag || "latest") === (tag || "latest"));
    // A tag the fleet pulled exists even where the catalogue does not list it (the story's `latest`).
    if (!catalogued && !this.store.knows(repo, tag) && !this.store.knows(repo, reference)) return null;
    return this.store.knows(repo, tag) || catalogued
      ? this.store.current(repo, tag)
      : this.store.current(repo, reference);
  }

  private record(req: http.IncomingMessage, registry: string, status: number, auth: string, early: boolean) {
    this.requests.push({
      at: Date.now(),
      registry,
      method: req.method ?? "GET",
      path: req.url ?? "",
      status,
      auth,
      beforeRetryAfter: early,
    });
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const url = new URL(req.url ?? "/", "http://registry");
    const [, registry = "", ...rest] = url.pathname.split("/");
    const path = `/${rest.join("/")}`;
    const b = this.behaviour(registry);
    const auth = authOf(req.headers.authorization);
    if (b.mode === "down") {
      this.hanging.add(res);
      res.on("close", () => this.hanging.delete(res));
      this.record(req, registry, 0, auth, false);
      return;
    }
    const limited = this.rateLimit(registry, b);
    const answer = (status: number, headers: Record<string, string>, body?: unknown) => {
      this.record(req, registry, status, auth, limited.early);
      const text = body === undefined ? "" : JSON.stringify(body);
      res.writeHead(status, { "Content-Type": "application/json", ...limited.headers, ...headers });
      res.end(req.method === "HEAD" ? undefined : text);
    };
    if (limited.refuse) {
      return answer(
        429,
        { "Retry-After": String(limited.retryAfter) },
        errors("TOOMANYREQUESTS", "rate limit"),
      );
    }
    if (b.mode === "refusing") return answer(412, {}, errors("DENIED", REFUSAL));
    if (b.mode === "failing") return answer(503, {}, errors("UNAVAILABLE", "service unavailable"));
    if (path === "/token") return this.token(url, registry, req, answer);
    const m = /^\/v2\/(.+)\/manifests\/([^/]+)$/.exec(path);
    if (path === "/v2/" || m) {
      const name = m?.[1] ?? "";
      const scope = `repository:${name}:pull`;
      const challenge = {
        "WWW-Authenticate": `Bearer realm="${this.endpoint(registry)}/token",service="${registry}"${m ? `,scope="${scope}"` : ""}`,
      };
      const grant = this.tokens.get(/^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1] ?? "");
      if (!grant || grant.registry !== registry)
        return answer(401, challenge, errors("UNAUTHORIZED", "authentication required"));
      if (!m) return answer(200, {});
      if (!grant.repositories.has(name))
        return answer(401, challenge, errors("UNAUTHORIZED", "authentication required"));
      const repo = this.repositoryOf(registry, name);
      const digest = repo ? this.resolve(repo, name, m[2] ?? "") : null;
      if (!digest) return answer(404, {}, errors("MANIFEST_UNKNOWN", "manifest unknown"));
      return answer(200, { "Docker-Content-Digest": digest, "Content-Type": INDEX_MEDIA_TYPE }, {});
    }
    return answer(404, {}, errors("NOT_FOUND", "not found"));
  }

  private token(
    url: URL,
    registry: string,
    req: http.IncomingMessage,
    answer: (status: number, headers: Record<string, string>, body?: unknown) => void,
  ) {
    const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? "")?.[1];
    const [user, password] = basic ? Buffer.from(basic, "base64").toString().split(":") : [];
    const valid = accepts(this.behaviour(registry), user, password);
    if (basic && !valid) return answer(401, {}, errors("UNAUTHORIZED", "incorrect username or password"));
    const repositories = new Set<string>();
    for (const scope of url.searchParams.getAll("scope")) {
      const name = /^repository:(.+):pull$/.exec(scope)?.[1];
      const repo = name ? this.repositoryOf(registry, name) : null;
      // Like Docker Hub: an anonymous token is issued for any scope but grants only public ones.
      if (name && (valid || (repo && !repo.private))) repositories.add(name);
    }
    const token = randomBytes(16).toString("hex");
    this.tokens.set(token, { registry, repositories });
    answer(200, {}, { token, access_token: token, expires_in: 300 });
  }

  /** A fixed window per registry; `early` marks a request sent before the announced Retry-After. */
  private rateLimit(registry: string, b: RegistryBehaviour) {
    const limit = b.rateLimit?.requests;
    if (!limit) return { refuse: false, early: false, retryAfter: 0, headers: {} };
    const windowMs = b.rateLimit?.windowMs ?? 60_000;
    const now = Date.now();
    let w = this.windows.get(registry);
    if (!w || now - w.start >= windowMs) {
      w = { start: now, count: 0, retryAfterUntil: w?.retryAfterUntil ?? 0, refusedAt: w?.refusedAt ?? 0 };
      this.windows.set(registry, w);
    }
    const early = now < w.retryAfterUntil && now - w.refusedAt > IN_FLIGHT_GRACE_MS;
    w.count++;
    const remaining = Math.max(0, limit - w.count);
    const seconds = Math.ceil(windowMs / 1000);
    const headers = {
      "RateLimit-Limit": `${limit};w=${seconds}`,
      "RateLimit-Remaining": `${remaining};w=${seconds}`,
    };
    if (w.count <= limit) return { refuse: false, early, retryAfter: 0, headers };
    const retryAfter = Math.max(1, Math.ceil((w.start + windowMs - now) / 1000));
    if (now >= w.retryAfterUntil) {
      w.retryAfterUntil = now + retryAfter * 1000;
      w.refusedAt = now;
    }
    return { refuse: true, early, retryAfter, headers };
  }
}

const errors = (code: string, message: string) => ({ errors: [{ code, message }] });

function authOf(header: string | undefined): string {
  if (!header) return "none";
  if (header.startsWith("Bearer ")) return "bearer";
  const basic = /^Basic (.+)$/.exec(header)?.[1];
  return basic ? `basic:${Buffer.from(basic, "base64").toString().split(":")[0]}` : "other";
}
