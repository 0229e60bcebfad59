// Long by design: one hostile-input template per procedure and per export kind, in one table.
// Hostile input through the real HTTP route, to every procedure and every export kind: the
// answer is a success or a 4xx with a reason, never a 5xx, and no error body carries SQL or a
// stack. PULLSIGHT_FUZZ_RUNS sets the runs per procedure and per export (default 25; a longer
// run: PULLSIGHT_FUZZ_RUNS=500 npx pnpm@10 test:unit packages/api/src/fuzz.test.ts).
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import fc from "fast-check";
import superjson from "superjson";
import { EXPORT_KINDS, exportFilters } from "./exports.ts";
import { type HttpFixture, startHttpFixture } from "./http-fixture.ts";
import { DEFAULT_LIMITS } from "./limits.ts";
import { appRouter } from "./root.ts";

const RUNS = Number(process.env.PULLSIGHT_FUZZ_RUNS ?? 25);
const admin = { name: "ada@example.com", role: "admin", source: "proxy" } as const;

/** What an error body must never show: SQL, a driver's or Prisma's words, a stack frame. */
const LEAK =
  /\b(select|insert|update|delete)\b[^"]{0,200}\b(from|into|set|where)\b|prisma|invalid input syntax|violates|syntax error at|\n\s+at \S+ \(|\.ts:\d+:\d+/i;

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");

const hostileText = fc.oneof(
  fc.constantFrom(
    "\u0000",
    "a\u0000b",
    "\ud800",
    "x\udfffy",
    "constructor",
    "prototype",
    "__proto__",
    "toString",
    "0000-01-01",
    "+275760-09-13T00:00:00.000Z",
    "-271821-04-20T00:00:00.000Z",
    "2026-02-30",
    "2026-W99",
    "2026-W00",
    "2021-W53",
    "0001-W01",
    "fleet",
    "cluster:nope",
    "namespace:a/b",
    "team:x",
    "PS001",
    "PS999",
    "9223372036854775807",
    "9223372036854775808",
    "99999999999999999999",
    "2147483648",
    "-1",
    "1e309",
    "NaN",
    "' OR 1=1 --",
    `'; DROP TABLE "Finding"; --`,
    '=HYPERLINK("http://x","y")',
    "%ZZ",
    "env=prod",
    "a=b,c=",
    ",,",
    "not-digest",
    "critical",
    "Always",
    b64({ v: "abc", id: "1" }),
    b64({ v: 1e300, id: "99999999999999999999" }),
    b64({ v: "1970-01-01", id: "-1" }),
    b64(["x"]),
    "x".repeat(300),
    "名前😀\u202e",
  ),
  fc.string({ unit: "binary", maxLength: 24 }),
);

const hostileNumber = fc.constantFrom(
  0,
  -1,
  1,
  2 ** 31,
  2 ** 31 - 1,
  2 ** 53,
  2 ** 63,
  1e308,
  -1e308,
  0.5,
  731,
  732,
);
const hostileDate = fc.constantFrom(
  new Date(8.64e15),
  new Date(-8.64e15),
  new Date(Date.UTC(0, 0, 1) - 1900 * 365 * 86_400_000),
  new Date(0),
  new Date(-1),
  new Date("2026-11-30T00:00:00Z"),
);
const hostileBigint = fc.constantFrom(0n, -1n, 1n, 2n ** 63n, 2n ** 64n, 2n ** 63n - 1n);

const KEYS = [
  "name",
  "snapshots",
  "filter",
  "limit",
  "cursor",
  "labels",
  "staleAfterMinutes",
  "week",
  "scope",
  "notes",
  "bucket",
  "range",
  "days",
  "from",
  "to",
  "byCluster",
  "state",
  "ruleId",
  "cluster",
  "clusters",
  "clusterLabel",
  "namespace",
  "workloadKind",
  "workloadName",
  "imagePattern",
  "reason",
  "owner",
  "expiresAt",
  "id",
  "sort",
  "order",
  "kind",
  "severity",
  "status",
  "policy",
  "policySource",
  "tagKind",
  "registry",
  "visibility",
  "q",
  "asOf",
  "constructor",
  "prototype",
] as const;

const { value: hostileValue } = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    hostileText,
    hostileNumber,
    hostileDate,
    hostileBigint,
    fc.boolean(),
    fc.constant(null),
    tie("object"),
    fc.array(tie("value"), { maxLength: 3 }),
  ),
  object: fc.dictionary(fc.oneof(fc.constantFrom(...KEYS), hostileText), tie("value"), { maxKeys: 4 }),
}));

const FILTER = {
  cluster: "c",
  clusters: "a,b",
  clusterLabel: "env=prod",
  namespace: "ns",
  kind: "Deployment",
  ruleId: "PS002",
  severity: "high",
  policy: "Always",
  policySource: "explicit",
  tagKind: "not-digest",
  registry: "docker.io",
  visibility: "public",
  q: "web",
};
const RANGE = { from: new Date("2026-10-01T00:00:00Z"), to: new Date("2026-11-01T00:00:00Z") };
const future = new Date(Date.now() + 7 * 86_400_000);

/** A valid input of every procedure, every field filled: the fuzz replaces its leaves. */
const TEMPLATES: Record<string, unknown> = {
  "fleet.overview": { labels: { env: "prod" }, staleAfterMinutes: 60 },
  "fleet.worstNamespaces": { limit: 5 },
  "clusters.detail": { name: "c", snapshots: 5 },
  "clusters.snapshots": { perCluster: 20 },
  "workloads.list": {
    filter: FILTER,
    sort: "findings",
    order: "desc",
    limit: 10,
    cursor: b64({ v: 1, id: "1" }),
  },
  "workloads.facets": { cluster: "c" },
  "workloads.detail": { id: 1n },
  "findings.list": {
    filter: { ...FILTER, status: "open", asOf: RANGE.to },
    limit: 10,
    sort: "opened",
    order: "desc",
    cursor: b64({ v: "2026-01-01T00:00:00.000Z", id: "5" }),
  },
  "trends.posture": {
    scope: { cluster: "c", namespace: "ns", labels: { env: "prod" } },
    bucket: "week",
    range: RANGE,
  },
  "trends.coverage": { scope: { cluster: "c" }, range: { days: 30 } },
  "trends.latency": {
    scope: { cluster: "c" },
    bucket: "day",
    range: { days: 30 },
    byCluster: true,
    registry: "docker.io",
  },
  "reviews.get": { week: "2026-W47", scope: "cluster:c" },
  "reviews.sign": { week: "2026-W47", scope: "namespace:c/ns", notes: "fine" },
  "reviews.list": { scope: "fleet", limit: 5 },
  "reviews.rules": { week: "2026-W47", scope: "team:payments", section: "resolved", team: "payments" },
  "reviews.images": {
    week: "2026-W47",
    scope: "team:payments",
    section: "ageing",
    team: "payments",
    ruleId: "PS001",
  },
  "reviews.rows": {
    week: "2026-W47",
    scope: "team:payments",
    section: "new",
    team: "payments",
    ruleId: "PS001",
    image: "nginx:latest",
  },
  "reviews.scopes": undefined,
  "reviews.deliveries": { limit: 10 },
  "teams.list": undefined,
  "teams.detail": { team: "payments" },
  "failing.now": {
    filter: { cluster: "c", namespace: "ns", team: "payments", cause: "not-found" },
    limit: 50,
    sort: "attempts",
    order: "asc",
  },
  "failing.count": { filter: { cluster: "c", namespace: "ns", team: "payments", cause: "not-found" } },
  "registries.atRisk": {
    filter: { cluster: "c", namespace: "ns", team: "payments", registry: "docker.io", cause: "not-found" },
    limit: 50,
    sort: "cause",
    order: "desc",
  },
  "registries.health": { days: 7, cluster: "c" },
  "trends.marks": { cluster: "c", range: RANGE },
  "images.list": { filter: { cluster: "c", registry: "docker.io", q: "nginx", drift: "yes" }, limit: 50 },
  "waivers.list": { state: "all", ruleId: "PS002", cluster: "c" },
  "waivers.create": {
    ruleId: "PS002",
    cluster: "c",
    namespace: "ns",
    workloadKind: "Deployment",
    workloadName: "web",
    imagePattern: "docker.io/*",
    reason: "a vendor image we cannot pin yet",
    owner: "team-a",
    expiresAt: future,
  },
  "waivers.revoke": { id: 1, reason: "no longer needed" },
  "identity.me": undefined,
  "rules.catalog": undefined,
  "exports.log": { limit: 5 },
};

type Path = Array<string | number>;
function leaves(v: unknown, at: Path = []): Path[] {
  if (v === null || typeof v !== "object" || v instanceof Date) return [at];
  return [at, ...Object.entries(v).flatMap(([k, x]) => leaves(x, [...at, Array.isArray(v) ? Number(k) : k]))];
}
function replaced(v: unknown, at: Path, by: unknown): unknown {
  if (at.length === 0) return by;
  const [k, ...rest] = at as [string | number, ...Path];
  // An earlier edit may have replaced an object on this path by something else: start afresh.
  const base = v !== null && typeof v === "object" && !(v instanceof Date) ? v : {};
  const copy = (Array.isArray(base) ? [...base] : { ...base }) as Record<string | number, unknown>;
  copy[k] = replaced(copy[k], rest, by);
  return copy;
}

/** A procedure's valid input with up to three leaves (or whole objects) replaced by hostile values. */
const hostileInputFor = (path: string) => {
  const template = TEMPLATES[path];
  const paths = leaves(template);
  const edit = fc.tuple(fc.constantFrom(...paths), hostileValue);
  return fc.oneof(
    {
      weight: 6,
      arbitrary: fc
        .array(edit, { minLength: 1, maxLength: 3 })
        .map((es) => es.reduce((v, [p, by]) => replaced(v, p, by), template)),
    },
    { weight: 1, arbitrary: fc.dictionary(fc.constantFrom(...KEYS), hostileValue, { maxKeys: 5 }) },
    { weight: 1, arbitrary: fc.constant(template) },
  );
};

/** The tRPC wire form: superjson's, or plain JSON where superjson refuses (keys like "constructor"). */
function wire(input: unknown): string {
  try {
    return JSON.stringify(superjson.serialize(input));
  } catch {
    return JSON.stringify({ json: input }, (_k, v) => (typeof v === "bigint" ? String(v) : v));
  }
}

async function expectAnswered(res: Response, what: string): Promise<string> {
  const body = await res.text(); // a 200 export is read whole: a stream that breaks fails here
  assert.ok(res.status < 500, `${what}: ${res.status} ${body.slice(0, 400)}`);
  if (res.status >= 400) {
    assert.doesNotMatch(body, LEAK, `${what}: the error body leaks internals: ${body.slice(0, 400)}`);
    assert.match(body, /"(message|error)":"[^"]{3,}/, `${what}: a reason a person can act on`);
  }
  return body;
}

describe("hostile input over HTTP", () => {
  let f: HttpFixture;
  let workloadId: bigint;
  before(async () => {
    f = await startHttpFixture({ name: "fuzz", pods: 60, user: admin });
    // Valid Kubernetes label keys that are also the names of Object.prototype's properties.
    const w = await f.t.db.workload.findFirstOrThrow({ select: { id: true, clusterId: true } });
    workloadId = w.id;
    const odd = { constructor: "c", prototype: "p", toString: "t", "app.kubernetes.io/name": "名前😀" };
    await f.t.db.workload.update({ where: { id: w.id }, data: { labels: odd } });
    await f.t.db.cluster.update({ where: { id: w.clusterId }, data: { labels: { ...odd, env: "prod" } } });
  });
  after(async () => {
    await f.stop();
  });

  const procedures = Object.entries(
    appRouter._def.procedures as unknown as Record<string, { _def: { type: string } }>,
  );

  it("every procedure: generated hostile input is answered 2xx or 4xx with a reason, never 5xx or SQL", async () => {
    assert.deepEqual(
      procedures.map(([p]) => p).sort(),
      Object.keys(TEMPLATES).sort(),
      "a template for every procedure",
    );
    for (const [path, proc] of procedures) {
      const mutation = proc._def.type === "mutation";
      await fc.assert(
        fc.asyncProperty(hostileInputFor(path), async (input) => {
          const body = wire(input);
          const res = mutation
            ? await fetch(`${f.url}/api/trpc/${path}`, {
                method: "POST",
                headers: { "content-type": "application/json" },
                body,
              })
            : await fetch(`${f.url}/api/trpc/${path}?input=${encodeURIComponent(body)}`);
          await expectAnswered(res, `${path} ${body.slice(0, 200)}`);
        }),
        { numRuns: RUNS },
      );
    }
    assert.deepEqual(f.serverErrors, []);
  });

  it("every export: generated hostile filters are a 400 before any byte, or a whole file", async () => {
    const keys = [...new Set(Object.values(exportFilters).flatMap((s) => Object.keys(s.shape ?? {})))];
    const param = fc.tuple(
      fc.oneof(fc.constantFrom(...keys), hostileText),
      fc.oneof(hostileText, fc.constant("")),
    );
    for (const kind of EXPORT_KINDS) {
      await fc.assert(
        fc.asyncProperty(fc.array(param, { maxLength: 4 }), async (params) => {
          const q = new URLSearchParams(params).toString();
          const res = await fetch(`${f.url}/api/export/${kind}.csv?${q}`);
          const body = await expectAnswered(res, `${kind}?${q.slice(0, 200)}`);
          if (res.status === 200) assert.match(body, /\r\n$/, `${kind}: a whole file ends with a record`);
        }),
        { numRuns: RUNS },
      );
    }
    assert.deepEqual(f.serverErrors, []);
  });

  it("the probes that answered 500: each is now a 400 with a reason", async () => {
    const get = (path: string, input: unknown) =>
      fetch(`${f.url}/api/trpc/${path}?input=${encodeURIComponent(wire(input))}`);
    const cases: Array<[string, Promise<Response>]> = [
      ["NUL in a name", get("clusters.detail", { name: "a\u0000b" })],
      ["lone surrogate", get("workloads.list", { filter: { q: "\ud800" } })],
      [
        "year 0 in a trend range",
        get("trends.posture", { range: { from: new Date(Date.UTC(0, 0, 1) - 1900 * 365 * 86_400_000) } }),
      ],
      ["year 275760", get("trends.posture", { range: { to: new Date(8.64e15) } })],
      ["id beyond 2^63", get("workloads.detail", { id: 2n ** 63n })],
      ["cursor beyond 2^63", get("findings.list", { cursor: b64({ v: 3, id: "99999999999999999999" }) })],
      ["cursor of another sort", get("findings.list", { sort: "opened", cursor: b64({ v: 3, id: "1" }) })],
      ["forged cursor", get("workloads.list", { sort: "findings", cursor: b64({ v: "abc", id: "1" }) })],
      ["forged cursor id", get("workloads.list", { cursor: b64({ v: "a", id: "99999999999999999999" }) })],
      [
        "waiver id beyond 2^31",
        fetch(`${f.url}/api/trpc/waivers.revoke`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: wire({ id: 2 ** 31, reason: "because" }),
        }),
      ],
      ["week 99", get("reviews.get", { week: "2026-W99" })],
    ];
    for (const [what, pending] of cases) {
      const res = await pending;
      const body = await expectAnswered(res, what);
      assert.equal(res.status, 400, `${what}: ${body.slice(0, 300)}`);
    }
  });

  it("JSON nested beyond the limit, oversized bodies and batches are refused before parsing", async () => {
    const deep = `${"[".repeat(1000)}${"]".repeat(1000)}`; // as deep as a URL within its limit holds
    const deepObject = `${'{"a":'.repeat(2600)}1${"}".repeat(2600)}`;
    const cases: Array<[string, Promise<Response>, number]> = [
      ["deep GET input", fetch(`${f.url}/api/trpc/fleet.overview?input=${encodeURIComponent(deep)}`), 400],
      [
        "deep POST body",
        fetch(`${f.url}/api/trpc/waivers.create`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: deepObject,
        }),
        400,
      ],
      [
        "body over the limit",
        fetch(`${f.url}/api/trpc/reviews.sign`, {
          method: "POST",
          body: "x".repeat(DEFAULT_LIMITS.bodyBytes + 1),
        }),
        413,
      ],
      [
        "batch over the limit",
        fetch(
          `${f.url}/api/trpc/${Array(DEFAULT_LIMITS.batch + 1)
            .fill("fleet.overview")
            .join(",")}?batch=1&input={}`,
        ),
        400,
      ],
      [
        "URL over the limit",
        fetch(`${f.url}/api/trpc/fleet.overview?input=${"x".repeat(DEFAULT_LIMITS.urlChars)}`),
        414,
      ],
      ["malformed JSON", fetch(`${f.url}/api/trpc/fleet.overview?input=%7B%22json`), 400],
      ["bad percent-encoding", fetch(`${f.url}/api/trpc/fleet.overview?input=%ZZ`), 400],
      [
        "malformed role cookie",
        fetch(`${f.url}/api/trpc/fleet.overview`, { headers: { cookie: "pullsight_role=%ZZ" } }),
        200,
      ],
    ];
    for (const [what, pending, status] of cases) {
      const res = await pending;
      await expectAnswered(res, what);
      assert.equal(res.status, status, what);
    }
  });

  it("valid but odd Kubernetes data round-trips: label keys such as constructor, unicode", async () => {
    const detail = await fetch(
      `${f.url}/api/trpc/workloads.detail?input=${encodeURIComponent(wire({ id: workloadId }))}`,
    );
    const body = await expectAnswered(detail, "workloads.detail");
    assert.equal(detail.status, 200, body.slice(0, 300));
    const labels = superjson.deserialize<{ workload: { labels: [string, string][] } }>(
      JSON.parse(body).result.data,
    ).workload.labels;
    assert.deepEqual(Object.fromEntries(labels), {
      constructor: "c",
      prototype: "p",
      toString: "t",
      "app.kubernetes.io/name": "名前😀",
    });
    const fleet = await fetch(
      `${f.url}/api/trpc/fleet.overview?input=${encodeURIComponent(wire({ labels: { constructor: "c" } }))}`,
    );
    const fleetBody = await expectAnswered(fleet, "fleet.overview by a label named constructor");
    assert.equal(fleet.status, 200);
    assert.equal(
      superjson.deserialize<{ clusters: unknown[] }>(JSON.parse(fleetBody).result.data).clusters.length,
      1,
    );
    const csv = await fetch(`${f.url}/api/export/clusters.csv?label=constructor=c`);
    assert.match(await expectAnswered(csv, "clusters export"), /constructor=c/);
  });
});
