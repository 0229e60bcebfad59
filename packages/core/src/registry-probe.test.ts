import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  canonicalRegistry,
  dockerConfigCredentials,
  outcomeOfStatus,
  parseChallenges,
  probeTarget,
  pullSecretCredentials,
  rateLimitNumber,
  registryEndpoint,
  retryAfterAt,
} from "./registry-probe.ts";

const tokenChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-.^_`|~";
const token = fc.string({ unit: fc.constantFrom(...tokenChars), minLength: 1, maxLength: 12 });
const anyValue = fc.string({ maxLength: 24 });

/** A challenge as a server may write it: quoted or bare values, spaces around `=` and `,`. */
const challenge = fc.record({
  scheme: token,
  params: fc.uniqueArray(fc.tuple(token, anyValue, fc.boolean(), fc.constantFrom("", " ", "  ")), {
    selector: ([name]) => name.toLowerCase(),
    maxLength: 4,
  }),
});

function write(c: { scheme: string; params: [string, string, boolean, string][] }) {
  const params = c.params.map(([name, value, bare, space]) => {
    const canBeBare = bare && /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(value);
    const v = canBeBare ? value : `"${value.replace(/["\\]/g, (x) => `\\${x}`)}"`;
    return `${name}${space}=${space}${v}`;
  });
  return params.length ? `${c.scheme} ${params.join(", ")}` : c.scheme;
}

describe("parseChallenges", () => {
  it("reads back every challenge a server writes (reference model: the generated values)", () => {
    fc.assert(
      fc.property(fc.array(challenge, { minLength: 1, maxLength: 3 }), (cs) => {
        const parsed = parseChallenges(cs.map(write).join(", "));
        assert.deepEqual(
          parsed,
          cs.map((c) => ({
            scheme: c.scheme,
            params: Object.fromEntries(c.params.map(([n, v]) => [n.toLowerCase(), v])),
          })),
        );
      }),
    );
  });

  it("reads Docker Hub's and GHCR's challenges", () => {
    assert.deepEqual(
      parseChallenges(
        'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/nginx:pull"',
      ),
      [
        {
          scheme: "Bearer",
          params: {
            realm: "https://auth.docker.io/token",
            service: "registry.docker.io",
            scope: "repository:library/nginx:pull",
          },
        },
      ],
    );
    assert.deepEqual(parseChallenges('Basic realm="Registry Realm"'), [
      { scheme: "Basic", params: { realm: "Registry Realm" } },
    ]);
  });

  it("keeps a parameter named __proto__ as a parameter (found by the property above)", () => {
    assert.deepEqual(parseChallenges('Bearer __proto__="x", realm="r"'), [
      {
        scheme: "Bearer",
        params: Object.fromEntries([
          ["__proto__", "x"],
          ["realm", "r"],
        ]),
      },
    ]);
  });

  it("never throws on arbitrary text", () => {
    fc.assert(fc.property(fc.string(), (s) => Array.isArray(parseChallenges(s))));
  });
});

describe("registry names, endpoints and credentials", () => {
  it("treats Docker Hub's aliases as docker.io and strips schemes and paths", () => {
    assert.equal(canonicalRegistry("https://index.docker.io/v1/"), "docker.io");
    assert.equal(canonicalRegistry("registry-1.docker.io"), "docker.io");
    assert.equal(canonicalRegistry("GHCR.io"), "ghcr.io");
    assert.equal(canonicalRegistry("http://localhost:5000/v2/"), "localhost:5000");
  });

  it("reaches registries over HTTPS (Docker Hub's API host), localhost over HTTP, overrides first", () => {
    assert.equal(registryEndpoint("docker.io"), "https://registry-1.docker.io");
    assert.equal(registryEndpoint("ghcr.io"), "https://ghcr.io");
    assert.equal(registryEndpoint("localhost:5000"), "http://localhost:5000");
    assert.equal(
      registryEndpoint("ghcr.io", new Map([["ghcr.io", "http://mirror.internal:5000/ghcr/"]])),
      "http://mirror.internal:5000/ghcr",
    );
  });

  it("reads auth and username/password entries, keyed by registry; ignores what it cannot use", () => {
    const config = {
      auths: {
        "https://index.docker.io/v1/": { auth: btoa("hub-user:s3:cret") },
        "ghcr.io": { username: "gh", password: "tok" },
        "quay.io": { identitytoken: "x" },
        "broken.example": { auth: "%%%" },
      },
      credHelpers: { "123.dkr.ecr.eu-west-1.amazonaws.com": "ecr-login" },
    };
    assert.deepEqual(
      [...dockerConfigCredentials(config)],
      [
        ["docker.io", { username: "hub-user", password: "s3:cret" }],
        ["ghcr.io", { username: "gh", password: "tok" }],
      ],
    );
    assert.equal(dockerConfigCredentials(null).size, 0);
    assert.equal(dockerConfigCredentials({ auths: "no" }).size, 0);
  });

  it("reads pull Secrets as the kubelet does: dockerconfigjson and legacy dockercfg, nothing else", () => {
    const auths = { "registry.acme.internal": { auth: btoa("robot:pw") } };
    const secret = (type: string, key: string, content: unknown) => ({
      type,
      data: { [key]: btoa(JSON.stringify(content)) },
    });
    const want = [["registry.acme.internal", { username: "robot", password: "pw" }]];
    assert.deepEqual(
      [
        ...(pullSecretCredentials(secret("kubernetes.io/dockerconfigjson", ".dockerconfigjson", { auths })) ??
          []),
      ],
      want,
    );
    assert.deepEqual(
      [...(pullSecretCredentials(secret("kubernetes.io/dockercfg", ".dockercfg", auths)) ?? [])],
      want,
    );
    assert.equal(pullSecretCredentials(secret("kubernetes.io/tls", "tls.crt", { auths })), null);
    assert.equal(
      pullSecretCredentials({ type: "kubernetes.io/dockerconfigjson", data: { ".dockerconfigjson": "%%" } }),
      null,
    );
    assert.equal(pullSecretCredentials({ type: "kubernetes.io/dockerconfigjson" }), null);
  });
});

describe("answers", () => {
  it("maps statuses to outcomes", () => {
    const cases: [number, string][] = [
      [200, "resolved"],
      [404, "not-found"],
      [401, "unauthorized"],
      [403, "unauthorized"],
      [412, "refused"],
      [429, "rate-limited"],
      [500, "failing"],
      [503, "failing"],
      [400, "failing"],
    ];
    for (const [status, outcome] of cases) assert.equal(outcomeOfStatus(status), outcome, String(status));
  });

  it("reads Retry-After as seconds or an HTTP date, and rate-limit numbers with parameters", () => {
    const now = Date.UTC(2026, 11, 3, 8, 0, 0);
    assert.equal(retryAfterAt("120", now), now + 120_000);
    assert.equal(retryAfterAt("Thu, 03 Dec 2026 08:01:00 GMT", now), now + 60_000);
    assert.equal(retryAfterAt("Thu, 03 Dec 2026 07:00:00 GMT", now), now);
    assert.equal(retryAfterAt("soon", now), null);
    assert.equal(retryAfterAt(null, now), null);
    assert.equal(rateLimitNumber("76;w=21600"), 76);
    assert.equal(rateLimitNumber(undefined), null);
  });

  it("asks by digest where the image names one, by tag otherwise", () => {
    assert.deepEqual(probeTarget("nginx"), {
      registry: "docker.io",
      repository: "library/nginx",
      reference: "latest",
    });
    assert.deepEqual(probeTarget("ghcr.io/acme/api:1.2@sha256:" + "a".repeat(64)), {
      registry: "ghcr.io",
      repository: "acme/api",
      reference: `sha256:${"a".repeat(64)}`,
    });
    assert.equal(probeTarget("Not A Reference"), null);
  });
});
