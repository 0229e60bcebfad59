// Long by design: the reference grammar's table of accepted and refused references, then properties.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { InvalidImageReferenceError } from "./errors.ts";
import {
  parseImageReference,
  parseReferenceStrict,
  referenceRulesFor,
  tryParseImageReference,
} from "./image-reference.ts";

const FFF = "f".repeat(64);
const SHA512 = "f".repeat(128);

describe("parseReferenceStrict agrees with distribution/reference's TestReferenceParse", () => {
  // [input, domain, repository(name), tag, digest] — or [input, error] — from reference_test.go.
  const ok: Array<[string, string, string, string | null, string | null]> = [
    ["test_com", "", "test_com", null, null],
    ["test.com:tag", "", "test.com", "tag", null],
    ["test.com:5000", "", "test.com", "5000", null],
    ["test.com/repo:tag", "test.com", "test.com/repo", "tag", null],
    ["test:5000/repo", "test:5000", "test:5000/repo", null, null],
    ["test:5000/repo:tag", "test:5000", "test:5000/repo", "tag", null],
    [`test:5000/repo@sha256:${FFF}`, "test:5000", "test:5000/repo", null, `sha256:${FFF}`],
    [`test:5000/repo:tag@sha256:${FFF}`, "test:5000", "test:5000/repo", "tag", `sha256:${FFF}`],
    ["lowercase:Uppercase", "", "lowercase", "Uppercase", null],
    [
      `${"a/".repeat(127)}a:tag-puts-this-over-max`,
      "a",
      `${"a/".repeat(127)}a`,
      "tag-puts-this-over-max",
      null,
    ],
    ["sub-dom1.foo.com/bar/baz/quux", "sub-dom1.foo.com", "sub-dom1.foo.com/bar/baz/quux", null, null],
    [
      "sub-dom1.foo.com/bar/baz/quux:some-long-tag",
      "sub-dom1.foo.com",
      "sub-dom1.foo.com/bar/baz/quux",
      "some-long-tag",
      null,
    ],
    [
      "b.gcr.io/test.example.com/my-app:test.example.com",
      "b.gcr.io",
      "b.gcr.io/test.example.com/my-app",
      "test.example.com",
      null,
    ],
    ["xn--n3h.com/myimage:xn--n3h.com", "xn--n3h.com", "xn--n3h.com/myimage", "xn--n3h.com", null],
    [
      `xn--7o8h.com/myimage:xn--7o8h.com@sha512:${SHA512}`,
      "xn--7o8h.com",
      "xn--7o8h.com/myimage",
      "xn--7o8h.com",
      `sha512:${SHA512}`,
    ],
    ["foo_bar.com:8080", "", "foo_bar.com", "8080", null],
    ["foo/foo_bar.com:8080", "foo", "foo/foo_bar.com", "8080", null],
    ["192.168.1.1", "", "192.168.1.1", null, null],
    ["192.168.1.1:tag", "", "192.168.1.1", "tag", null],
    ["192.168.1.1:5000", "", "192.168.1.1", "5000", null],
    ["192.168.1.1/repo", "192.168.1.1", "192.168.1.1/repo", null, null],
    ["192.168.1.1:5000/repo", "192.168.1.1:5000", "192.168.1.1:5000/repo", null, null],
    ["192.168.1.1:5000/repo:5050", "192.168.1.1:5000", "192.168.1.1:5000/repo", "5050", null],
    ["[2001:db8::1]/repo", "[2001:db8::1]", "[2001:db8::1]/repo", null, null],
    ["[2001:db8:1:2:3:4:5:6]/repo:tag", "[2001:db8:1:2:3:4:5:6]", "[2001:db8:1:2:3:4:5:6]/repo", "tag", null],
    ["[2001:db8::1]:5000/repo", "[2001:db8::1]:5000", "[2001:db8::1]:5000/repo", null, null],
    ["[2001:db8::1]:5000/repo:tag", "[2001:db8::1]:5000", "[2001:db8::1]:5000/repo", "tag", null],
    [
      `[2001:db8::1]:5000/repo@sha256:${FFF}`,
      "[2001:db8::1]:5000",
      "[2001:db8::1]:5000/repo",
      null,
      `sha256:${FFF}`,
    ],
    [
      `[2001:db8::1]:5000/repo:tag@sha256:${FFF}`,
      "[2001:db8::1]:5000",
      "[2001:db8::1]:5000/repo",
      "tag",
      `sha256:${FFF}`,
    ],
    ["[2001:db8::]:5000/repo", "[2001:db8::]:5000", "[2001:db8::]:5000/repo", null, null],
    ["[::1]:5000/repo", "[::1]:5000", "[::1]:5000/repo", null, null],
  ];
  for (const [input, domain, repository, tag, digest] of ok) {
    it(`parses ${input.length > 60 ? `${input.slice(0, 60)}…` : input}`, () => {
      const r = parseReferenceStrict(input);
      assert.equal(r.domain, domain);
      assert.equal(r.domain ? `${r.domain}/${r.path}` : r.path, repository);
      assert.equal(r.tag, tag);
      assert.equal(r.digest, digest);
    });
  }
  const bad: Array<[string, RegExp]> = [
    ["", /at least one component/],
    [":justtag", /invalid reference format/],
    [`@sha256:${FFF}`, /invalid reference format/],
    ["repo@sha256:ffffffffffffffffffffffffffffffffff", /invalid checksum digest length/],
    [`validname@invaliddigest:${FFF}`, /unsupported digest algorithm/],
    ["Uppercase:tag", /must be lowercase/],
    ["test:5000/Uppercase/lowercase:tag", /must be lowercase/],
    // distribution/reference v0.6.0 counts the path only ("a/" + 255 is valid: see below).
    [`${"a/".repeat(129)}a:tag`, /not be more than 255 characters/],
    ["aa/asdf$$^/aa", /invalid reference format/],
    ["[2001:db8::1]", /invalid reference format/],
    ["[2001:db8::1]:5000", /invalid reference format/],
    ["[2001:db8::1]:tag", /invalid reference format/],
    ["[fe80::1%eth0]:5000/repo", /invalid reference format/],
    ["[fe80::1%@invalidzone]:5000/repo", /invalid reference format/],
  ];
  for (const [input, reason] of bad) {
    it(`rejects ${JSON.stringify(input.length > 60 ? `${input.slice(0, 60)}…` : input)}`, () => {
      assert.throws(
        () => parseReferenceStrict(input),
        (e: unknown) => e instanceof InvalidImageReferenceError && reason.test(e.reason),
      );
    });
  }
});

describe("parseImageReference agrees with distribution/reference's normalize tests", () => {
  it("accepts every valid repository name of TestValidateReferenceName and TestValidateRemoteName", () => {
    for (const name of [
      "docker/docker",
      "library/debian",
      "debian",
      "docker.io/docker/docker",
      "docker.io/library/debian",
      "docker.io/debian",
      "index.docker.io/docker/docker",
      "index.docker.io/library/debian",
      "index.docker.io/debian",
      "127.0.0.1:5000/docker/docker",
      "127.0.0.1:5000/library/debian",
      "127.0.0.1:5000/debian",
      "192.168.0.1",
      "192.168.0.1:80",
      "192.168.0.1:8/debian",
      "192.168.0.2:25000/debian",
      "thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev",
      "[fc00::1]:5000/docker",
      "[fc00::1]:5000/docker/docker",
      "[fc00:1:2:3:4:5:6:7]:5000/library/debian",
      "docker.io/1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a",
      "Docker/docker",
      "DOCKER/docker",
      "docker-rules/docker",
      "docker---rules/docker",
      "doc/docker",
      "d/docker",
      "jess/t",
      "dock__er/docker",
    ]) {
      assert.doesNotThrow(() => parseImageReference(name), name);
    }
  });

  it("rejects every invalid repository name of the same tests", () => {
    for (const name of [
      "https://github.com/docker/docker",
      "docker/Docker",
      "-docker",
      "-docker/docker",
      "-docker.io/docker/docker",
      "docker///docker",
      "docker.io/docker/Docker",
      "docker.io/docker///docker",
      "[fc00::1]",
      "[fc00::1]:5000",
      "fc00::1:5000/debian",
      "[fe80::1%eth0]:5000/debian",
      "[2001:db8:3:4::192.0.2.33]:5000/debian",
      "1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a",
      "docker-/docker",
      "-docker-/docker",
      "____/____",
      "_docker/_docker",
      "dock..er/docker",
      "dock_.er/docker",
      "dock-.er/docker",
      "docker/",
      `${"this_is_not_a_valid_namespace_because_its_lenth_is_greater_than_255_".repeat(4)}/docker`,
    ]) {
      assert.throws(() => parseImageReference(name), InvalidImageReferenceError, name);
    }
  });

  // TestParseRepositoryInfo: [familiar, full, ambiguous?, domain, path]
  const infos: Array<[string, string, string | null, string, string]> = [
    ["fooo/bar", "docker.io/fooo/bar", "index.docker.io/fooo/bar", "docker.io", "fooo/bar"],
    ["ubuntu", "docker.io/library/ubuntu", "library/ubuntu", "docker.io", "library/ubuntu"],
    ["nonlibrary/ubuntu", "docker.io/nonlibrary/ubuntu", null, "docker.io", "nonlibrary/ubuntu"],
    ["other/library", "docker.io/other/library", null, "docker.io", "other/library"],
    [
      "127.0.0.1:8000/private/moonbase",
      "127.0.0.1:8000/private/moonbase",
      null,
      "127.0.0.1:8000",
      "private/moonbase",
    ],
    ["127.0.0.1:8000/privatebase", "127.0.0.1:8000/privatebase", null, "127.0.0.1:8000", "privatebase"],
    ["example.com/private/moonbase", "example.com/private/moonbase", null, "example.com", "private/moonbase"],
    ["example.com/privatebase", "example.com/privatebase", null, "example.com", "privatebase"],
    [
      "example.com:8000/private/moonbase",
      "example.com:8000/private/moonbase",
      null,
      "example.com:8000",
      "private/moonbase",
    ],
    [
      "example.com:8000/privatebasee",
      "example.com:8000/privatebasee",
      null,
      "example.com:8000",
      "privatebasee",
    ],
    [
      "ubuntu-12.04-base",
      "docker.io/library/ubuntu-12.04-base",
      "index.docker.io/library/ubuntu-12.04-base",
      "docker.io",
      "library/ubuntu-12.04-base",
    ],
    ["foo", "docker.io/library/foo", "docker.io/foo", "docker.io", "library/foo"],
    ["library/foo/bar", "docker.io/library/foo/bar", null, "docker.io", "library/foo/bar"],
    ["store/foo/bar", "docker.io/store/foo/bar", null, "docker.io", "store/foo/bar"],
    ["Foo/bar", "Foo/bar", null, "Foo", "bar"],
    ["FOO/bar", "FOO/bar", null, "FOO", "bar"],
  ];
  for (const [familiar, full, ambiguous, domain, path] of infos) {
    it(`normalises ${familiar}`, () => {
      for (const input of [familiar, full, ...(ambiguous ? [ambiguous] : [])]) {
        const r = parseImageReference(input);
        assert.equal(r.familiarName, familiar, input);
        assert.equal(r.name, full, input);
        assert.equal(r.domain, domain, input);
        assert.equal(r.path, path, input);
      }
    });
  }

  it("splits hostnames like TestNormalizedSplitHostname", () => {
    const cases: Array<[string, string, string]> = [
      ["test.com/foo", "test.com", "foo"],
      ["test_com/foo", "docker.io", "test_com/foo"],
      ["docker/migrator", "docker.io", "docker/migrator"],
      ["test.com:8080/foo", "test.com:8080", "foo"],
      ["test-com:8080/foo", "test-com:8080", "foo"],
      ["foo", "docker.io", "library/foo"],
      ["xn--n3h.com/foo", "xn--n3h.com", "foo"],
      ["xn--n3h.com:18080/foo", "xn--n3h.com:18080", "foo"],
      ["docker.io/foo", "docker.io", "library/foo"],
      ["docker.io/library/foo", "docker.io", "library/foo"],
      ["docker.io/library/foo/bar", "docker.io", "library/foo/bar"],
    ];
    for (const [input, domain, path] of cases) {
      const r = parseImageReference(input);
      assert.deepEqual([r.domain, r.path], [domain, path], input);
    }
  });

  it("keeps both tag and digest (TestParseReferenceWithTagAndDigest)", () => {
    const r = parseImageReference(
      `busybox:latest@sha256:86e0e091d0da6bde2456dbb48306f3956bbeb2eae1b5b9a43045843f69fe4aaa`,
    );
    assert.equal(r.name, "docker.io/library/busybox");
    assert.equal(r.tag, "latest");
    assert.equal(r.digest, "sha256:86e0e091d0da6bde2456dbb48306f3956bbeb2eae1b5b9a43045843f69fe4aaa");
    assert.equal(r.familiarName, "busybox");
  });
});

describe("parseImageReference on what clusters run", () => {
  it("reads registry, path, tag and digest of common images", () => {
    const cases: Array<[string, Partial<ReturnType<typeof parseImageReference>>]> = [
      [
        "nginx",
        { domain: "docker.io", path: "library/nginx", tag: null, digest: null, familiarName: "nginx" },
      ],
      ["nginx:1.27.3-alpine", { name: "docker.io/library/nginx", tag: "1.27.3-alpine" }],
      ["bitnami/redis:7.2", { name: "docker.io/bitnami/redis", familiarName: "bitnami/redis", tag: "7.2" }],
      [
        "ghcr.io/org/app:main",
        { domain: "ghcr.io", path: "org/app", familiarName: "ghcr.io/org/app", tag: "main" },
      ],
      ["localhost:5000/app", { domain: "localhost:5000", path: "app", tag: null }],
      ["localhost/app:1", { domain: "localhost", path: "app", tag: "1" }],
      ["registry.k8s.io/pause:3.10", { domain: "registry.k8s.io", path: "pause", tag: "3.10" }],
      [
        "123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/api:2.3.4",
        { domain: "123456789012.dkr.ecr.eu-west-1.amazonaws.com", path: "team/api" },
      ],
    ];
    for (const [input, expected] of cases) {
      const r = parseImageReference(input);
      for (const [k, v] of Object.entries(expected)) assert.equal(r[k as keyof typeof r], v, `${input} ${k}`);
    }
  });

  it("allows tags of exactly 128 characters and rejects 129", () => {
    assert.equal(parseImageReference(`app:${"a".repeat(128)}`).tag?.length, 128);
    assert.throws(() => parseImageReference(`app:${"a".repeat(129)}`), /invalid reference format/);
  });

  it("validates digests like go-digest", () => {
    assert.equal(parseImageReference(`app@sha384:${"a".repeat(96)}`).digest, `sha384:${"a".repeat(96)}`);
    assert.throws(
      () => parseImageReference(`app@sha256:${"A".repeat(64)}`),
      /invalid checksum digest format/,
    );
    assert.throws(
      () => parseImageReference(`app@sha256:${"a".repeat(63)}`),
      /invalid checksum digest length/,
    );
    assert.throws(() => parseImageReference(`app@md5:${"a".repeat(32)}`), /unsupported digest algorithm/);
    assert.throws(() => parseImageReference(`app@sha256:${"a".repeat(31)}`), /invalid reference format/);
  });

  it("names the lowercase problem with the repository, like ParseNormalizedNamed", () => {
    assert.throws(
      () => parseImageReference("NGINX:latest"),
      (e: unknown) =>
        e instanceof InvalidImageReferenceError &&
        e.reason === "invalid reference format: repository name (library/NGINX) must be lowercase",
    );
  });
});

const hostile = fc.oneof(
  fc.string({ maxLength: 300 }),
  fc.string({ unit: fc.constantFrom(..."aA0-._/:@[]%"), maxLength: 300 }),
  fc.string({ unit: "grapheme", maxLength: 100 }),
);

describe("parseImageReference properties", () => {
  it("never throws anything but InvalidImageReferenceError", () => {
    fc.assert(
      fc.property(hostile, (s) => {
        try {
          parseImageReference(s);
        } catch (e) {
          return e instanceof InvalidImageReferenceError;
        }
        return true;
      }),
      { numRuns: 5000 },
    );
  });

  const component = fc.stringMatching(/^[a-z0-9]{1,8}(?:(?:[._]|__|-{1,3})[a-z0-9]{1,8}){0,2}$/);
  const domain = fc.oneof(
    fc.constantFrom(
      "docker.io",
      "ghcr.io",
      "localhost",
      "localhost:5000",
      "registry.example.com:8443",
      "[::1]:5000",
      "10.0.0.1",
    ),
    fc.stringMatching(/^[a-z][a-z0-9-]{0,8}[a-z0-9]\.[a-z]{2,5}$/),
  );
  const tag = fc.stringMatching(/^\w[\w.-]{0,40}$/);
  const hex64 = fc.stringMatching(/^[0-9a-f]{64}$/);

  it("round-trips any valid reference it is given", () => {
    fc.assert(
      fc.property(
        domain,
        fc.array(component, { minLength: 1, maxLength: 4 }),
        fc.option(tag),
        fc.option(hex64),
        (d, parts, t, h) => {
          const path = parts.join("/");
          const input = `${d}/${path}${t ? `:${t}` : ""}${h ? `@sha256:${h}` : ""}`;
          const r = parseImageReference(input);
          const expectedPath = d === "docker.io" && parts.length === 1 ? `library/${path}` : path;
          assert.equal(r.domain, d);
          assert.equal(r.path, expectedPath);
          assert.equal(r.tag, t);
          assert.equal(r.digest, h ? `sha256:${h}` : null);
          // Parsing the normalised form again gives the same reference.
          const again = parseImageReference(
            `${r.name}${r.tag ? `:${r.tag}` : ""}${r.digest ? `@${r.digest}` : ""}`,
          );
          assert.deepEqual(again, r);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("takes linear time on 100 kB of hostile input", () => {
    const inputs = [
      "a".repeat(100_000),
      `${"a.".repeat(50_000)}!`,
      `${"a-".repeat(50_000)}`,
      `${"a/".repeat(50_000)}:`,
      `${"a__".repeat(33_000)}_`,
      `${"[".repeat(50_000)}${":".repeat(50_000)}`,
      `a@${"sha256.".repeat(14_000)}:`,
      `${"A".repeat(100_000)}/x`,
      `x:${"a".repeat(100_000)}`,
    ];
    // The floor: one pass over the same bytes.
    for (const input of inputs) {
      const start = performance.now();
      try {
        parseImageReference(input);
      } catch {
        // invalid: fine
      }
      const elapsed = performance.now() - start;
      // A quadratic scan of 100 kB takes seconds; a linear one, milliseconds.
      assert.ok(elapsed < 250, `${input.slice(0, 20)}… took ${elapsed.toFixed(1)} ms`);
    }
  });
});

describe("digest algorithms are looked up safely", () => {
  it('calls "constructor:…" an unsupported algorithm (not Object.prototype.constructor)', () => {
    assert.throws(
      () => parseImageReference(`app@constructor:${"a".repeat(64)}`),
      /unsupported digest algorithm/,
    );
    // Uppercase fails earlier, as in Go: the repository check sees "app@toString".
    assert.throws(() => parseImageReference(`app@toString:${"a".repeat(64)}`), /must be lowercase/);
  });
});

// distribution/reference#9 (v0.6.0, vendored from Kubernetes 1.32): "Exclude domain from name
// length check". A long path under a registry host is valid on 1.32+ and InvalidImageName before.
describe("reference rules follow the cluster's version", () => {
  const host = "registry.example.com:5000";
  const path = `team/${"a".repeat(245)}`; // 250 characters: under the limit alone, over it with the host
  it("applies the length limit to the whole name before 1.32 and to the path from 1.32", () => {
    const image = `${host}/${path}:1.0`;
    assert.equal(parseImageReference(image, referenceRulesFor("v1.32.1")).path, path);
    assert.equal(parseImageReference(image).path, path, "the current rules by default");
    assert.throws(
      () => parseImageReference(image, referenceRulesFor("v1.31.4")),
      /repository name must not be more than 255 characters/,
    );
    assert.throws(() => parseImageReference(`${host}/team/${"a".repeat(251)}:1.0`), /not be more than 255/);
  });

  it("distribution's own case: too long before v0.6.0, valid from it", () => {
    const input = `${"a/".repeat(128)}a:tag`;
    assert.throws(() => parseReferenceStrict(input, referenceRulesFor("v1.31.4")), /not be more than 255/);
    assert.equal(parseReferenceStrict(input).path.length, 255);
  });

  it("reads the version's minor; an unknown version gets the current rules", () => {
    assert.deepEqual(
      ["v1.18.20", "v1.31.4", "v1.32.0", "v1.36.2-eks-1", "1.29", null, "", "garbage"].map(
        (v) => referenceRulesFor(v).lengthLimitOn,
      ),
      ["name", "name", "path", "path", "name", "path", "path", "path"],
    );
  });

  it("the two rules differ exactly where the host pushes a name over the limit", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 300 }), (n) => {
        const image = `${host}/${"b".repeat(n)}:t`;
        const valid = (v: string) => tryParseImageReference(image, referenceRulesFor(v)) !== null;
        return valid("v1.31.0") === host.length + 1 + n <= 255 && valid("v1.33.0") === n <= 255;
      }),
    );
  });
});
