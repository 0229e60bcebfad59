import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { PULL_EVENT_REASONS, parsePullEvent } from "./pull-event.ts";

const SHA = "sha256:0d17b565c37bcbd895e9d92315a05c1c3c9a29f762b011a10c54a66cd53c9b31";

describe("parsePullEvent: kubelet wordings since 1.18", () => {
  it("Pulling", () => {
    assert.deepEqual(parsePullEvent("Pulling", 'Pulling image "nginx:1.25"'), {
      reason: "Pulling",
      image: "nginx:1.25",
      alreadyPresent: false,
      pullDurationSeconds: null,
      waitingDurationSeconds: null,
      imageSizeBytes: null,
      failureCause: null,
      aggregated: false,
    });
  });

  it("Pulled without a duration (1.18)", () => {
    const f = parsePullEvent("Pulled", 'Successfully pulled image "nginx:1.19"');
    assert.equal(f?.image, "nginx:1.19");
    assert.equal(f?.pullDurationSeconds, null);
    assert.equal(f?.alreadyPresent, false);
  });

  it("Pulled with a duration (1.19–1.27)", () => {
    const f = parsePullEvent("Pulled", 'Successfully pulled image "nginx:1.21" in 2.512412363s');
    assert.equal(f?.pullDurationSeconds, 2.512412363);
    assert.equal(f?.waitingDurationSeconds, null);
    assert.equal(f?.imageSizeBytes, null);
  });

  it("Pulled with minutes and milliseconds", () => {
    assert.equal(
      parsePullEvent("Pulled", 'Successfully pulled image "big:1" in 1m5.328s')?.pullDurationSeconds,
      65.328,
    );
    assert.equal(
      parsePullEvent("Pulled", 'Successfully pulled image "small:1" in 272.563572ms')?.pullDurationSeconds,
      0.272563572,
    );
  });

  it("Pulled including waiting (1.28–1.29)", () => {
    const f = parsePullEvent(
      "Pulled",
      'Successfully pulled image "registry.k8s.io/pause:3.9" in 1.088s (4.2s including waiting)',
    );
    assert.equal(f?.image, "registry.k8s.io/pause:3.9");
    assert.equal(f?.pullDurationSeconds, 1.088);
    assert.equal(f?.waitingDurationSeconds, 4.2);
    assert.equal(f?.imageSizeBytes, null);
  });

  it("Pulled with image size (1.30+)", () => {
    const f = parsePullEvent(
      "Pulled",
      'Successfully pulled image "nginx:latest" in 7.058s (1m2.345s including waiting). Image size: 72099410 bytes.',
    );
    assert.deepEqual(f, {
      reason: "Pulled",
      image: "nginx:latest",
      alreadyPresent: false,
      pullDurationSeconds: 7.058,
      waitingDurationSeconds: 62.345,
      imageSizeBytes: 72099410,
      failureCause: null,
      aggregated: false,
    });
  });

  it("already present, both wordings, with kubectl 1.33's field-path prefix", () => {
    for (const message of [
      'Container image "nginx:1.25" already present on machine',
      'Container image "busybox:1.36" already present on machine and can be accessed by the pod',
      'spec.containers{app}: Container image "busybox:1.36" already present on machine and can be accessed by the pod',
      'spec.initContainers{init}: Container image "busybox:1.36" already present on machine',
    ]) {
      const f = parsePullEvent("Pulled", message);
      assert.equal(f?.alreadyPresent, true, message);
      assert.match(f?.image ?? "", /^(nginx:1.25|busybox:1.36)$/);
      assert.equal(f?.pullDurationSeconds, null);
      assert.equal(f?.failureCause, null);
    }
  });

  it("Failed: the registry's error, classified", () => {
    const cases: Array<[string, string]> = [
      [
        'Failed to pull image "nginx:nope": rpc error: code = NotFound desc = failed to pull and unpack image "docker.io/library/nginx:nope": failed to resolve reference "docker.io/library/nginx:nope": docker.io/library/nginx:nope: not found',
        "not-found",
      ],
      [
        'Failed to pull image "nginx:nope": rpc error: code = Unknown desc = Error response from daemon: manifest for nginx:nope not found: manifest unknown: manifest unknown',
        "not-found",
      ],
      [
        'Failed to pull image "ghcr.io/org/private:1.0": rpc error: code = Unknown desc = failed to pull and unpack image "ghcr.io/org/private:1.0": failed to resolve reference "ghcr.io/org/private:1.0": failed to authorize: failed to fetch anonymous token: unexpected status: 401 Unauthorized',
        "unauthorized",
      ],
      [
        `Failed to pull image "private/app:1": rpc error: code = Unknown desc = Error response from daemon: pull access denied for private/app, repository does not exist or may require 'docker login': denied: requested access to the resource is denied`,
        "unauthorized",
      ],
      [
        'Failed to pull image "123.dkr.ecr.eu-west-1.amazonaws.com/app:1": rpc error: code = Unknown desc = failed to pull and unpack image: failed to resolve reference: pulling from host 123.dkr.ecr.eu-west-1.amazonaws.com failed with status code [manifests 1]: 403 Forbidden',
        "unauthorized",
      ],
      [
        `Failed to pull image "nginx:1.25": rpc error: code = Unknown desc = failed to pull and unpack image "docker.io/library/nginx:1.25": failed to copy: httpReadSeeker: failed open: unexpected status code https://registry-1.docker.io/v2/library/nginx/manifests/${SHA}: 429 Too Many Requests - Server message: toomanyrequests: You have reached your pull rate limit. You may increase the limit by authenticating and upgrading: https://www.docker.com/increase-rate-limit`,
        "rate-limited",
      ],
      [
        'Failed to pull image "registry.internal/app:1": rpc error: code = Unknown desc = failed to pull and unpack image "registry.internal/app:1": failed to resolve reference "registry.internal/app:1": failed to do request: Head "https://registry.internal/v2/app/manifests/1": dial tcp: lookup registry.internal on 10.96.0.10:53: no such host',
        "network",
      ],
      [
        'Failed to pull image "10.0.0.5/app:1": rpc error: code = Unknown desc = failed to pull and unpack image "10.0.0.5/app:1": failed to resolve reference "10.0.0.5/app:1": failed to do request: Head "https://10.0.0.5/v2/app/manifests/1": dial tcp 10.0.0.5:443: connect: connection refused',
        "network",
      ],
      [
        'Failed to pull image "registry.slow/app:1": rpc error: code = Unknown desc = failed to pull and unpack image "registry.slow/app:1": failed to resolve reference "registry.slow/app:1": failed to do request: Head "https://registry.slow/v2/app/manifests/1": dial tcp 10.0.0.9:443: i/o timeout',
        "timeout",
      ],
      [
        'Failed to pull image "quay.io/app:1": rpc error: code = Unknown desc = Error response from daemon: Get "https://quay.io/v2/": net/http: TLS handshake timeout',
        "timeout",
      ],
      [
        'Failed to pull image "registry.selfsigned/app:1": rpc error: code = Unknown desc = failed to pull and unpack image "registry.selfsigned/app:1": failed to resolve reference "registry.selfsigned/app:1": failed to do request: Head "https://registry.selfsigned/v2/app/manifests/1": tls: failed to verify certificate: x509: certificate signed by unknown authority',
        "tls",
      ],
      [
        'Failed to pull image "app:1": rpc error: code = DeadlineExceeded desc = context deadline exceeded',
        "timeout",
      ],
      ['Failed to pull image "app:1": rpc error: code = Unknown desc = no space left on device', "unknown"],
    ];
    for (const [message, cause] of cases) {
      const f = parsePullEvent("Failed", message);
      assert.equal(f?.failureCause, cause, message);
      assert.ok(f?.image && message.includes(`"${f.image}"`), message);
    }
  });

  it('Failed "Error: X" lines', () => {
    assert.deepEqual(
      ["ErrImagePull", "ImagePullBackOff", "InvalidImageName", "ErrImageNeverPull"].map((x) => {
        const f = parsePullEvent("Failed", `Error: ${x}`);
        return [f?.image, f?.failureCause];
      }),
      [
        [null, null],
        [null, null],
        [null, "invalid-name"],
        [null, "never-pull"],
      ],
    );
  });

  it("BackOff, in the event and in the status message that carries the error", () => {
    const event = parsePullEvent("BackOff", 'Back-off pulling image "nginx:nope"');
    assert.equal(event?.image, "nginx:nope");
    assert.equal(event?.failureCause, null, "the BackOff event names no cause");
    const status = parsePullEvent(
      "ImagePullBackOff",
      'Back-off pulling image "nginx:nope": ErrImagePull: rpc error: code = NotFound desc = failed to pull and unpack image "docker.io/library/nginx:nope": failed to resolve reference "docker.io/library/nginx:nope": docker.io/library/nginx:nope: not found',
    );
    assert.equal(status?.image, "nginx:nope");
    assert.equal(status?.failureCause, "not-found");
  });

  it("ErrImageNeverPull", () => {
    const f = parsePullEvent(
      "ErrImageNeverPull",
      'Container image "registry.example.com/agent:2.8.1" is not present with pull policy of Never',
    );
    assert.equal(f?.image, "registry.example.com/agent:2.8.1");
    assert.equal(f?.failureCause, "never-pull");
  });

  it("InspectFailed for an invalid name, in old and new wordings", () => {
    for (const message of [
      'Failed to apply default image tag "NGINX": couldn\'t parse image reference "NGINX": invalid reference format: repository name (library/NGINX) must be lowercase',
      'Failed to apply default image tag "nginx:": couldn\'t parse image reference "nginx:": invalid reference format',
      'Failed to apply default image tag "nginx:": couldn\'t parse image name "nginx:": invalid reference format',
    ]) {
      const f = parsePullEvent("InspectFailed", message);
      assert.equal(f?.failureCause, "invalid-name", message);
      assert.ok(f?.image === "NGINX" || f?.image === "nginx:");
    }
    const inspect = parsePullEvent(
      "InspectFailed",
      'Failed to inspect image "app:1": rpc error: code = Unavailable desc = connection error',
    );
    assert.equal(inspect?.image, "app:1");
  });

  it("waiting states: ErrImagePull with the registry's message, the registry-unavailable wording", () => {
    assert.equal(
      parsePullEvent(
        "ErrImagePull",
        "rpc error: code = Unknown desc = failed to pull and unpack image: 429 Too Many Requests",
      )?.failureCause,
      "rate-limited",
    );
    const unavailable = parsePullEvent(
      "ErrImagePull",
      "image pull failed for registry.example.com/app:1 because the registry is unavailable",
    );
    assert.equal(unavailable?.image, "registry.example.com/app:1");
    assert.equal(unavailable?.failureCause, "network");
  });

  it("unquotes Go %q images", () => {
    assert.equal(parsePullEvent("Pulling", 'Pulling image "we\\"ird\\u00e9"')?.image, 'we"irdé');
  });

  it("returns null for events that are not about pulling", () => {
    for (const [reason, message] of [
      ["BackOff", "Back-off restarting failed container app in pod api-7d9c_shop(0c1f)"],
      [
        "Failed",
        "Error: failed to create containerd task: failed to create shim task: OCI runtime create failed",
      ],
      ["Failed", "Failed to create pod sandbox: rpc error: code = Unknown"],
      ["Pulled", "something else entirely"],
      ["Pulling", "Pulling image nginx"],
      ["Scheduled", "Successfully assigned shop/api to node-1"],
      ["Created", "Created container app"],
      ["Unhealthy", 'Readiness probe failed: Get "http://10.0.0.1/": dial tcp: i/o timeout'],
    ]) {
      assert.equal(parsePullEvent(reason as string, message as string), null, `${reason}: ${message}`);
    }
  });
});

describe("parsePullEvent properties", () => {
  const reason = fc.constantFrom(...PULL_EVENT_REASONS, "Other");
  const junk = fc.oneof(
    fc.string({ maxLength: 400 }),
    fc.string({ unit: fc.constantFrom(...'"\\ :.()0123456789msuµhx'), maxLength: 400 }),
    fc
      .constantFrom(
        "Pulling image ",
        "Successfully pulled image ",
        "Container image ",
        "Back-off pulling image ",
        "Failed to pull image ",
      )
      .chain((p) => fc.string({ maxLength: 300 }).map((s) => p + s)),
  );

  it("never throws, and returns null or well-typed facts", () => {
    fc.assert(
      fc.property(reason, junk, (r, m) => {
        const f = parsePullEvent(r, m);
        if (f === null) return true;
        const num = (v: unknown) => v === null || (typeof v === "number" && Number.isFinite(v));
        return (
          f.reason === r &&
          (f.image === null || typeof f.image === "string") &&
          num(f.pullDurationSeconds) &&
          num(f.waitingDurationSeconds) &&
          num(f.imageSizeBytes)
        );
      }),
      { numRuns: 10000 },
    );
  });

  it("reads back what the 1.30+ kubelet writes", () => {
    const image = fc.stringMatching(/^[a-z0-9]{1,10}(?:\/[a-z0-9]{1,10}){0,2}:[\w.-]{1,20}$/);
    fc.assert(
      fc.property(
        image,
        fc.integer({ min: 1, max: 3_599_999 }),
        fc.integer({ min: 0, max: 10_000_000_000 }),
        (img, ms, size) => {
          const d = `${Math.floor(ms / 60000) ? `${Math.floor(ms / 60000)}m` : ""}${((ms % 60000) / 1000).toFixed(3).replace(/\.?0+$/, "")}s`;
          const f = parsePullEvent(
            "Pulled",
            `Successfully pulled image "${img}" in ${d} (${d} including waiting). Image size: ${size} bytes.`,
          );
          return (
            f?.image === img &&
            Math.abs((f.pullDurationSeconds ?? -1) - ms / 1000) < 1e-9 &&
            f.imageSizeBytes === size
          );
        },
      ),
      { numRuns: 3000 },
    );
  });

  it("takes linear time on 100 kB of hostile input", () => {
    const inputs: Array<[string, string]> = [
      ["Failed", `Failed to pull image "${"a".repeat(100_000)}`],
      ["Failed", `Failed to pull image "x": ${"dial tcp ".repeat(11_000)}`],
      ["Pulled", `Successfully pulled image "x" in ${"1".repeat(100_000)}s`],
      ["Pulled", `Container image "${"\\\\".repeat(50_000)}" already present on machine`],
      ["BackOff", `Back-off pulling image "x": ${"ErrImagePull: ".repeat(7_000)}`],
      ["Failed", `spec.containers{${"{".repeat(100_000)}`],
      ["Pulled", `Successfully pulled image "x" in 1s (${"(".repeat(100_000)}`],
    ];
    for (const [r, m] of inputs) {
      const start = performance.now();
      parsePullEvent(r, m);
      const elapsed = performance.now() - start;
      assert.ok(elapsed < 250, `${r} ${m.slice(0, 30)}… took ${elapsed.toFixed(1)} ms`);
    }
  });
});

describe("parsePullEvent does not read object prototypes", () => {
  it('treats "Error: constructor" and friends as unrelated events', () => {
    for (const word of ["constructor", "toString", "hasOwnProperty", "__proto__", "valueOf"]) {
      assert.equal(parsePullEvent("Failed", `Error: ${word}`), null, word);
    }
  });
});
