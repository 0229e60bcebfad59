import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parsePullEvent, waitingCause } from "./pull-event.ts";

// Wordings of Kubernetes 1.28–1.36, each from its source:
// - kubelet pkg/kubelet/images/image_manager.go (pullImage, evalCRIPullErr): the back-off status
//   message `Back-off pulling image %q` + `: <err>: <msg>` kept in prevPullErrMsg (1.32+), and
//   "image pull failed for %s because the registry is unavailable%s" / "… signature validation
//   failed%s" for the CRI errors of k8s.io/cri-api/pkg/errors;
// - k8s.io/cri-client/pkg/remote_image.go (pullImageV1, 1.28+): a gRPC Unknown status loses its
//   "rpc error: code = Unknown desc = " prefix;
// - kubelet pkg/kubelet/images/helpers.go (throttledImageService.PullImage): "pull QPS exceeded.";
// - containerd remotes/docker/resolver.go:572 "failed to do request: %w", pull.go:133 "failed to
//   resolve reference %q: %w", authorizer.go:302 "failed to fetch oauth token: %w" (containerd
//   1.6.20, Debian golang-github-containerd-containerd-dev); 1.7's "unexpected status from HEAD
//   request to %s: %s" as a real cluster printed it (kubernetes-up-and-running/kuard#59);
// - client-go tools/record/events_cache.go (EventAggregatorByReasonMessageFunc):
//   "(combined from similar events): " + message.
describe("parsePullEvent: Kubernetes 1.28–1.36", () => {
  it("the 1.32+ back-off status keeps the previous attempt's cause; the BackOff event does not", () => {
    const cases: Array<[string, string]> = [
      [
        'Back-off pulling image "gcr.io/kuar-demo/kuard-amd64:blue": ErrImagePull: failed to pull and unpack image "gcr.io/kuar-demo/kuard-amd64:blue": failed to resolve reference "gcr.io/kuar-demo/kuard-amd64:blue": unexpected status from HEAD request to https://gcr.io/v2/kuar-demo/kuard-amd64/manifests/blue: 412 Precondition Failed',
        "policy-refused",
      ],
      [
        'Back-off pulling image "registry.internal/app:1": RegistryUnavailable: image pull failed for registry.internal/app:1 because the registry is unavailable: dial tcp 10.0.0.5:443: connect: connection refused',
        "network",
      ],
      [
        'Back-off pulling image "quay.io/acme/app:1": SignatureValidationFailed: image pull failed for quay.io/acme/app:1 because the signature validation failed: Source image rejected: A signature was required, but no signature exists',
        "signature",
      ],
      ['Back-off pulling image "nginx:1.27": ErrImagePull: pull QPS exceeded.', "kubelet-throttled"],
    ];
    for (const [message, cause] of cases) {
      const f = parsePullEvent("ImagePullBackOff", message);
      assert.equal(f?.failureCause, cause, message);
      assert.ok(f?.image && message.startsWith(`Back-off pulling image "${f.image}"`));
    }
    assert.equal(
      parsePullEvent("ImagePullBackOff", 'Back-off pulling image "nginx:1.27"')?.failureCause,
      null,
    );
  });

  it("waiting reasons of the CRI errors", () => {
    const unavailable = parsePullEvent(
      "RegistryUnavailable",
      "image pull failed for registry.internal/app:1 because the registry is unavailable: dial tcp: lookup registry.internal: no such host",
    );
    assert.deepEqual([unavailable?.image, unavailable?.failureCause], ["registry.internal/app:1", "network"]);
    const signature = parsePullEvent(
      "SignatureValidationFailed",
      "image pull failed for quay.io/acme/app:1 because the signature validation failed: Source image rejected: A signature was required, but no signature exists",
    );
    assert.deepEqual([signature?.image, signature?.failureCause], ["quay.io/acme/app:1", "signature"]);
    assert.equal(parsePullEvent("Failed", "Error: SignatureValidationFailed")?.failureCause, "signature");
    assert.equal(parsePullEvent("Failed", "Error: RegistryUnavailable")?.failureCause, "network");
  });

  it("Failed events without the gRPC prefix (1.28+), with the new causes", () => {
    const cases: Array<[string, string]> = [
      [
        'Failed to pull image "gcr.io/kuar-demo/kuard-amd64:blue": failed to pull and unpack image "gcr.io/kuar-demo/kuard-amd64:blue": failed to copy: httpReadSeeker: failed open: unexpected status from GET request to https://gcr.io/v2/kuar-demo/kuard-amd64/manifests/sha256:1ecc9fb2c871302fdb57a25e0c076311b7b352b0a9246d442940ca8fb4efe229: 412 Precondition Failed',
        "policy-refused",
      ],
      [
        'Failed to pull image "gcr.io/k8s-staging-kubebuilder/kube-rbac-proxy:v0.8.0": failed to pull and unpack image "gcr.io/k8s-staging-kubebuilder/kube-rbac-proxy:v0.8.0": failed to resolve reference "gcr.io/k8s-staging-kubebuilder/kube-rbac-proxy:v0.8.0": failed to authorize: failed to fetch oauth token: unexpected status from GET request to https://gcr.io/v2/token?scope=repository%3Ak8s-staging-kubebuilder%2Fkube-rbac-proxy%3Apull&service=gcr.io: 412 Precondition Failed',
        "policy-refused",
      ],
      ['Failed to pull image "nginx:1.27": pull QPS exceeded.', "kubelet-throttled"],
      [
        'Failed to pull image "nginx:nope": failed to pull and unpack image "docker.io/library/nginx:nope": failed to resolve reference "docker.io/library/nginx:nope": docker.io/library/nginx:nope: not found',
        "not-found",
      ],
      [
        'Failed to pull image "registry.internal/app:1": RegistryUnavailable: dial tcp 10.0.0.5:443: connect: connection refused',
        "network",
      ],
    ];
    for (const [message, cause] of cases)
      assert.equal(parsePullEvent("Failed", message)?.failureCause, cause, message);
  });

  it("aggregated events: the prefix is removed, the facts say so", () => {
    const f = parsePullEvent(
      "Failed",
      '(combined from similar events): Failed to pull image "curlimages/curl:8.12.1": rpc error: code = DeadlineExceeded desc = failed to pull and unpack image "docker.io/curlimages/curl:8.12.1": failed to resolve reference "docker.io/curlimages/curl:8.12.1": failed to do request: Head "https://registry-1.docker.io/v2/curlimages/curl/manifests/8.12.1": dial tcp 128.242.245.212:443: i/o timeout',
    );
    assert.deepEqual([f?.image, f?.failureCause, f?.aggregated], ["curlimages/curl:8.12.1", "timeout", true]);
    const line = parsePullEvent("Failed", "(combined from similar events): Error: ImagePullBackOff");
    assert.deepEqual([line?.failureCause, line?.aggregated], [null, true]);
    assert.equal(parsePullEvent("Failed", 'Failed to pull image "a:1": x')?.aggregated, false);
  });

  it("waitingCause: null where the status names no cause", () => {
    assert.equal(waitingCause("ImagePullBackOff", 'Back-off pulling image "a:1"'), null);
    assert.equal(waitingCause("ErrImagePull", ""), null);
    assert.equal(
      waitingCause(
        "ErrImagePull",
        'failed to pull and unpack image "docker.io/library/a:1": 429 Too Many Requests',
      ),
      "rate-limited",
    );
    assert.equal(
      waitingCause("ErrImageNeverPull", 'Container image "a:1" is not present with pull policy of Never'),
      "never-pull",
    );
  });
});
