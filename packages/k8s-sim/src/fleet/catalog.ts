// The images the simulated fleet runs. Each entry states, in the simulator's own terms, what a
// correct reader must conclude about it: the registry Kubernetes resolves it to, whether it is
// private, and the kind of each tag. The collector's classification is checked against this.
export type SimTagKind =
  | "digest"
  | "full-version"
  | "floating-version"
  | "mutable"
  | "untagged"
  | "other"
  | "invalid";

export interface SimRepository {
  /** How manifests write the repository ("nginx", "ghcr.io/acme/api"). */
  written: string;
  /** The registry it resolves to ("docker.io" for "nginx"). */
  registry: string;
  /** The normalised name a containerd imageID carries. */
  canonical: string;
  private: boolean;
  /** Credentials come from the node (ECR credential provider), so no pull secret is needed. */
  nodeCredentials?: boolean;
  tags: ReadonlyArray<{ tag: string; kind: SimTagKind }>;
  /** Median pull time in seconds and image size in bytes. */
  pullSeconds: number;
  sizeBytes: number;
}

export const REPOSITORIES: readonly SimRepository[] = [
  {
    written: "nginx",
    registry: "docker.io",
    canonical: "docker.io/library/nginx",
    private: false,
    tags: [
      { tag: "1.27.3", kind: "full-version" },
      { tag: "1.27", kind: "floating-version" },
      { tag: "latest", kind: "mutable" },
      { tag: "", kind: "untagged" },
      { tag: "1.27.3-alpine", kind: "full-version" },
    ],
    pullSeconds: 4,
    sizeBytes: 72_099_410,
  },
  {
    written: "bitnami/redis",
    registry: "docker.io",
    canonical: "docker.io/bitnami/redis",
    private: false,
    tags: [
      { tag: "7.2.5", kind: "full-version" },
      { tag: "7.2", kind: "floating-version" },
      { tag: "latest", kind: "mutable" },
    ],
    pullSeconds: 6,
    sizeBytes: 104_857_600,
  },
  {
    written: "postgres",
    registry: "docker.io",
    canonical: "docker.io/library/postgres",
    private: false,
    tags: [
      { tag: "16.4", kind: "floating-version" },
      { tag: "16", kind: "floating-version" },
      { tag: "16.4.1", kind: "full-version" },
    ],
    pullSeconds: 9,
    sizeBytes: 158_334_976,
  },
  {
    written: "ghcr.io/acme/api",
    registry: "ghcr.io",
    canonical: "ghcr.io/acme/api",
    private: true,
    tags: [
      { tag: "1.42.3", kind: "full-version" },
      { tag: "main", kind: "mutable" },
      { tag: "sha-4f2a9c1", kind: "other" },
    ],
    pullSeconds: 3,
    sizeBytes: 41_943_040,
  },
  {
    written: "registry.acme.internal/payments/ledger",
    registry: "registry.acme.internal",
    canonical: "registry.acme.internal/payments/ledger",
    private: true,
    tags: [
      { tag: "2.8.1", kind: "full-version" },
      { tag: "2.8", kind: "floating-version" },
      { tag: "latest", kind: "mutable" },
    ],
    pullSeconds: 5,
    sizeBytes: 88_080_384,
  },
  {
    written: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/worker",
    registry: "123456789012.dkr.ecr.eu-west-1.amazonaws.com",
    canonical: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/worker",
    private: true,
    nodeCredentials: true,
    tags: [
      { tag: "3.1.0", kind: "full-version" },
      { tag: "stable", kind: "mutable" },
    ],
    pullSeconds: 7,
    sizeBytes: 125_829_120,
  },
  {
    written: "quay.io/prometheus/node-exporter",
    registry: "quay.io",
    canonical: "quay.io/prometheus/node-exporter",
    private: false,
    tags: [{ tag: "v1.8.2", kind: "full-version" }],
    pullSeconds: 2,
    sizeBytes: 23_068_672,
  },
  {
    written: "busybox",
    registry: "docker.io",
    canonical: "docker.io/library/busybox",
    private: false,
    tags: [
      { tag: "1.36", kind: "floating-version" },
      { tag: "", kind: "untagged" },
    ],
    pullSeconds: 1,
    sizeBytes: 4_404_019,
  },
  {
    written: "localhost:5000/tools/debug",
    registry: "localhost:5000",
    canonical: "localhost:5000/tools/debug",
    private: true,
    tags: [{ tag: "dev", kind: "mutable" }],
    pullSeconds: 1,
    sizeBytes: 9_437_184,
  },
];

/** An image reference the kubelet refuses (uppercase repository): InvalidImageName. */
export const INVALID_IMAGE = "Registry.Acme.Internal/Payments/Ledger:2.8.1";
