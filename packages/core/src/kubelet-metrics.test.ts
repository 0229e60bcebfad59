// Text in the kubelet's own format: metric names, labels and buckets from
// pkg/kubelet/metrics/metrics.go (ImagePullDuration, imagePullDurationBuckets, imageSizeBuckets),
// pkg/kubelet/images/metrics.go (ensureImageRequestsCounter: pull_policy lowercased,
// present_locally and pull_required "true"/"false"/"unknown") and component-base's
// kubernetes_feature_enabled gauge.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { kubeletPullMetricsOf, summarizeEnsure } from "./kubelet-metrics.ts";

const KUBELET_1_35 = `# HELP kubernetes_feature_enabled [BETA] This metric records the data about the stage and enablement of a k8s feature.
# TYPE kubernetes_feature_enabled gauge
kubernetes_feature_enabled{name="KubeletEnsureSecretPulledImages",stage="BETA"} 1
kubernetes_feature_enabled{name="ImageVolume",stage="BETA"} 1
# HELP kubelet_image_manager_ensure_image_requests_total [ALPHA] Number of ensure-image requests processed by the kubelet.
# TYPE kubelet_image_manager_ensure_image_requests_total counter
kubelet_image_manager_ensure_image_requests_total{present_locally="false",pull_policy="ifnotpresent",pull_required="true"} 4
kubelet_image_manager_ensure_image_requests_total{present_locally="true",pull_policy="ifnotpresent",pull_required="false"} 11
kubelet_image_manager_ensure_image_requests_total{present_locally="true",pull_policy="always",pull_required="true"} 9
kubelet_image_manager_ensure_image_requests_total{present_locally="false",pull_policy="never",pull_required="false"} 1
kubelet_image_manager_ensure_image_requests_total{present_locally="true",pull_policy="never",pull_required="true"} 3
kubelet_image_manager_ensure_image_requests_total{present_locally="unknown",pull_policy="always",pull_required="unknown"} 2
# HELP kubelet_image_pull_duration_seconds [ALPHA] Duration in seconds to pull an image.
# TYPE kubelet_image_pull_duration_seconds histogram
kubelet_image_pull_duration_seconds_bucket{image_size_in_bytes="10MB-100MB",le="1"} 2
kubelet_image_pull_duration_seconds_bucket{image_size_in_bytes="10MB-100MB",le="5"} 7
kubelet_image_pull_duration_seconds_bucket{image_size_in_bytes="10MB-100MB",le="+Inf"} 8
kubelet_image_pull_duration_seconds_sum{image_size_in_bytes="10MB-100MB"} 21.5
kubelet_image_pull_duration_seconds_count{image_size_in_bytes="10MB-100MB"} 8
kubelet_image_pull_duration_seconds_bucket{image_size_in_bytes="100MB-500MB",le="1"} 0
kubelet_image_pull_duration_seconds_bucket{image_size_in_bytes="100MB-500MB",le="+Inf"} 5
kubelet_image_pull_duration_seconds_sum{image_size_in_bytes="100MB-500MB"} 61.25
kubelet_image_pull_duration_seconds_count{image_size_in_bytes="100MB-500MB"} 5
`;

describe("kubeletPullMetricsOf", () => {
  it("reads ensure-image requests by policy, successful pulls and the KEP-2535 gate", () => {
    const m = kubeletPullMetricsOf(KUBELET_1_35);
    assert.deepEqual(m.ensure, {
      IfNotPresent: { cached: 11, pulled: 4, unverified: 0, other: 0 },
      Always: { cached: 0, pulled: 9, unverified: 0, other: 2 },
      // On the node, but the pod's credentials could not be verified: nothing went to the registry.
      Never: { cached: 0, pulled: 0, unverified: 3, other: 1 },
    });
    assert.deepEqual(m.pulls, {
      count: 13,
      sumSeconds: 82.75,
      // Bounds a size class does not list (the 100MB-500MB class above lists only le="1") count nothing.
      buckets: [2, 7, ...Array(16).fill(0)],
    });
    assert.equal(m.ensureSecretPulledImages, true);
    assert.deepEqual(summarizeEnsure([m.ensure, null]), {
      requests: 30,
      cached: 11,
      pulled: 13,
      pulledByAlways: 9,
    });
  });

  it("says what an older kubelet does not report: null, not zero", () => {
    const m = kubeletPullMetricsOf("# TYPE kubelet_running_pods gauge\nkubelet_running_pods 12\n");
    assert.deepEqual(m, {
      ensure: null,
      pulls: null,
      garbageCollected: null,
      credentialProviderErrors: null,
      ensureSecretPulledImages: null,
      startTime: null,
    });
    assert.equal(summarizeEnsure([m.ensure]), null);
  });

  it("adds up any counters it is given, whatever their order (property)", () => {
    const policy = fc.constantFrom("always", "ifnotpresent", "never");
    const tri = fc.constantFrom("true", "false", "unknown");
    const row = fc.record({ policy, present: tri, required: tri, n: fc.nat(1000) });
    fc.assert(
      fc.property(
        fc.uniqueArray(row, { selector: (r) => `${r.policy}|${r.present}|${r.required}` }),
        (rows) => {
          const text = rows
            .map(
              (r) =>
                `kubelet_image_manager_ensure_image_requests_total{present_locally="${r.present}",pull_policy="${r.policy}",pull_required="${r.required}"} ${r.n}`,
            )
            .join("\n");
          const m = kubeletPullMetricsOf(`${text}\n`);
          if (!rows.length) return assert.equal(m.ensure, null);
          const s = summarizeEnsure([m.ensure]);
          const total = (f: (r: (typeof rows)[number]) => boolean) =>
            rows.filter(f).reduce((a, r) => a + r.n, 0);
          assert.deepEqual(s, {
            requests: total(() => true),
            cached: total((r) => r.required === "false" && r.present === "true"),
            pulled: total((r) => r.required === "true" && r.policy !== "never"),
            pulledByAlways: total((r) => r.required === "true" && r.policy === "always"),
          });
        },
      ),
    );
  });
});

// pkg/kubelet/metrics/metrics.go ImageGarbageCollectedTotal (`reason`: images/image_gc_manager.go
// ImageGarbageCollectedTotalReasonAge/Space, added in 1.30), pkg/credentialprovider/plugin/metrics.go
// kubeletCredentialProviderPluginErrors (`plugin_name`) and component-base legacyregistry's process
// collector (process_start_time_seconds, registered in its init()).
const KUBELET_1_31_EXTRA = `# HELP kubelet_image_garbage_collected_total [ALPHA] Total number of images garbage collected by the kubelet, whether through disk usage or image age.
# TYPE kubelet_image_garbage_collected_total counter
kubelet_image_garbage_collected_total{reason="age"} 3
kubelet_image_garbage_collected_total{reason="space"} 14
# HELP kubelet_credential_provider_plugin_errors_total [ALPHA] Number of errors from credential provider plugin
# TYPE kubelet_credential_provider_plugin_errors_total counter
kubelet_credential_provider_plugin_errors_total{plugin_name="ecr-credential-provider"} 2
# HELP process_start_time_seconds Start time of the process since unix epoch in seconds.
# TYPE process_start_time_seconds gauge
process_start_time_seconds 1.76470812345e+09
`;

describe("kubelet counters beside the pull metrics", () => {
  it("reads garbage-collected images by reason, plugin errors by plugin and the kubelet's start", () => {
    const m = kubeletPullMetricsOf(KUBELET_1_31_EXTRA);
    assert.deepEqual(m.garbageCollected, { age: 3, space: 14 });
    assert.deepEqual(m.credentialProviderErrors, { "ecr-credential-provider": 2 });
    assert.equal(m.startTime, 1764708123.45);
  });

  it("reads a 1.29 kubelet's counters without a reason, and the plugin errors' name before `_total`", () => {
    const m = kubeletPullMetricsOf(
      "# TYPE kubelet_image_garbage_collected_total counter\nkubelet_image_garbage_collected_total 5\n" +
        '# TYPE kubelet_credential_provider_plugin_errors counter\nkubelet_credential_provider_plugin_errors{plugin_name="gcp"} 1\n',
    );
    assert.deepEqual(m.garbageCollected, { unspecified: 5 });
    assert.deepEqual(m.credentialProviderErrors, { gcp: 1 });
  });
});
