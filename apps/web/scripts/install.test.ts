// Installing in a cluster: the manifests rendered by `kubectl kustomize` exactly as an operator's
// `kubectl apply -k` renders them, every object validated against the Kubernetes OpenAPI schema
// (kubernetes-models, generated from Kubernetes' own), and what they promise checked on the
// rendered objects; the Dockerfiles parsed to show they build with the script the tests run
// (scripts/image.ts) and run the commands the manifests name.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { readAuthConfig, readLimits } from "@pullsight/api";
import { DockerfileParser } from "dockerfile-ast";
import { parseAllDocuments } from "yaml";
import { IMAGE_COMMANDS } from "../../../scripts/image.ts";

const root = path.resolve(fileURLToPath(new URL(".", import.meta.url)), "../../..");
const deploy = (p: string) => path.join(root, "apps/web/deploy", p);

type K8sObject = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
  // biome-ignore lint/suspicious/noExplicitAny: rendered Kubernetes objects, read field by field
  [k: string]: any;
};

function render(dir: string): K8sObject[] {
  const out = execFileSync("kubectl", ["kustomize", dir], { encoding: "utf8" });
  return parseAllDocuments(out).map((d) => d.toJS() as K8sObject);
}

/** The kubernetes-models class for an object's apiVersion and kind. */
async function modelOf(o: K8sObject): Promise<new (data: unknown) => { validate(): void }> {
  const [group, version] = o.apiVersion.includes("/") ? o.apiVersion.split("/") : [null, o.apiVersion];
  const module = group
    ? `kubernetes-models/${group}/${version}/${o.kind}`
    : `kubernetes-models/${version}/${o.kind}`;
  const loaded = (await import(module)) as Record<string, new (data: unknown) => { validate(): void }>;
  const model = loaded[o.kind];
  assert.ok(model, `no schema for ${o.apiVersion} ${o.kind}`);
  return model;
}

async function validate(o: K8sObject): Promise<void> {
  const Model = await modelOf(o);
  new Model(o).validate();
}

const find = (objects: K8sObject[], kind: string, name: string) => {
  const o = objects.find((x) => x.kind === kind && x.metadata.name === name);
  assert.ok(o, `${kind}/${name} is rendered`);
  return o;
};
const podSpec = (d: K8sObject) => d.spec.template.spec;
const allContainers = (d: K8sObject) => [...(podSpec(d).initContainers ?? []), ...podSpec(d).containers];
const envNamed = (c: K8sObject, name: string) => (c.env ?? []).find((e: { name: string }) => e.name === name);

describe("install manifests", () => {
  const install = render(deploy("overlays/install"));

  it("render, and every object validates against the Kubernetes schema", async () => {
    const kinds = install.map((o) => o.kind).sort();
    for (const kind of [
      "Deployment",
      "Service",
      "PodDisruptionBudget",
      "NetworkPolicy",
      "ConfigMap",
      "Ingress",
    ])
      assert.ok(kinds.includes(kind), `${kind} in ${kinds.join(", ")}`);
    for (const o of [...install, ...render(deploy("base"))]) await validate(o);
  });

  it("a broken field fails validation", async () => {
    const web = structuredClone(find(install, "Deployment", "pullsight-web"));
    web.spec.template.spec.containers[0].ports[0].containerPort = "http";
    await assert.rejects(() => validate(web), /containerPort/);
    const noSelector = structuredClone(find(install, "Deployment", "pullsight-web"));
    delete noSelector.spec.selector;
    await assert.rejects(() => validate(noSelector), /selector/);
    const service = structuredClone(find(install, "Service", "pullsight-web"));
    service.spec.ports[0].port = "eighty";
    await assert.rejects(() => validate(service), /port/);
  });

  it("install the collector, the web and oauth2-proxy into one namespace", () => {
    for (const o of install.filter((x) => x.kind !== "Namespace" && !x.kind.startsWith("Cluster")))
      assert.equal(o.metadata.namespace, "pullsight", `${o.kind}/${o.metadata.name}`);
    const deployments = install.filter((o) => o.kind === "Deployment").map((o) => o.metadata.name);
    assert.deepEqual(deployments.sort(), [
      "pullsight-collector",
      "pullsight-oauth2-proxy",
      "pullsight-prober",
      "pullsight-web",
    ]);
  });

  it("run the registry prober from the collector's image, with no Kubernetes token and optional credentials", () => {
    const prober = find(install, "Deployment", "pullsight-prober");
    const collector = find(install, "Deployment", "pullsight-collector");
    const [c] = podSpec(prober).containers;
    assert.equal(c.image, podSpec(collector).containers[0].image, "the collector's image");
    assert.deepEqual(c.command, [...IMAGE_COMMANDS.prober]);
    assert.equal(podSpec(prober).automountServiceAccountToken, false);
    assert.equal(envNamed(c, "DATABASE_URL").valueFrom.secretKeyRef.key, "url");
    assert.equal(envNamed(c, "PULLSIGHT_MIGRATE").value, "off");
    const credentials = podSpec(prober).volumes.find(
      (v: { name: string }) => v.name === "registry-credentials",
    );
    assert.deepEqual(credentials.secret, { secretName: "pullsight-registry-credentials", optional: true });
    const mount = c.volumeMounts.find((m: { name: string }) => m.name === "registry-credentials");
    assert.equal(c.args[c.args.indexOf("--docker-config") + 1], `${mount.mountPath}/.dockerconfigjson`);
    assert.equal(prober.spec.replicas, 1);
  });

  it("with the opt-in prober-pull-secrets component: get on Secrets only, a token, the cluster it runs in", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "pullsight-kustomize-"));
    const rel = (p: string) => path.relative(dir, path.join(root, p));
    writeFileSync(
      path.join(dir, "kustomization.yaml"),
      [
        "apiVersion: kustomize.config.k8s.io/v1beta1",
        "kind: Kustomization",
        `resources: [${rel("apps/web/deploy/overlays/install")}]`,
        `components: [${rel("apps/collector/deploy/components/prober-pull-secrets")}]`,
      ].join("\n"),
    );
    const withSecrets = render(dir);
    for (const o of withSecrets) await validate(o);
    const prober = find(withSecrets, "Deployment", "pullsight-prober");
    const spec = podSpec(prober);
    assert.equal(spec.automountServiceAccountToken, true);
    assert.equal(spec.serviceAccountName, "pullsight-prober");
    const args: string[] = spec.containers[0].args;
    assert.ok(args.includes("--cluster-pull-secrets") && args.includes("--in-cluster"), args.join(" "));
    const role = find(withSecrets, "ClusterRole", "pullsight-prober-pull-secrets");
    assert.deepEqual(role.rules, [{ apiGroups: [""], resources: ["secrets"], verbs: ["get"] }]);
    const binding = find(withSecrets, "ClusterRoleBinding", "pullsight-prober-pull-secrets");
    assert.deepEqual(binding.subjects, [
      { kind: "ServiceAccount", name: "pullsight-prober", namespace: "pullsight" },
    ]);
    assert.ok(
      !install.some((o) => o.metadata.name === "pullsight-prober-pull-secrets"),
      "not in the install overlay",
    );
  });

  it("run the web as two replicas that migrate first as the owner and serve as the application role", () => {
    const web = find(install, "Deployment", "pullsight-web");
    assert.equal(web.spec.replicas, 2);
    const [migrate] = podSpec(web).initContainers;
    const [server] = podSpec(web).containers;
    assert.equal(migrate.image, server.image, "the same image");
    assert.deepEqual(migrate.command, [...IMAGE_COMMANDS.migrate]);
    assert.equal(server.command, undefined, "the web runs the image's own command");
    assert.equal(envNamed(migrate, "PULLSIGHT_MIGRATION_URL").valueFrom.secretKeyRef.key, "migration-url");
    assert.equal(envNamed(server, "DATABASE_URL").valueFrom.secretKeyRef.key, "url");
    assert.equal(
      envNamed(server, "PULLSIGHT_MIGRATION_URL"),
      undefined,
      "the server holds no owner credentials",
    );
    assert.equal(server.readinessProbe.httpGet.path, "/api/health");
    assert.equal(server.livenessProbe.httpGet.path, "/api/health/live");
    assert.ok(
      server.volumeMounts.some((m: { mountPath: string }) => m.mountPath === "/app/apps/web/.next/cache"),
      "Next's cache is writable under a read-only root",
    );
    const pdb = find(install, "PodDisruptionBudget", "pullsight-web");
    assert.equal(pdb.spec.minAvailable, 1);
    assert.deepEqual(pdb.spec.selector.matchLabels, web.spec.selector.matchLabels);
  });

  it("run the collector as the application role, leaving migrations to the web's step", () => {
    const collector = find(install, "Deployment", "pullsight-collector");
    const [c] = podSpec(collector).containers;
    assert.equal(envNamed(c, "DATABASE_URL").valueFrom.secretKeyRef.key, "url");
    assert.equal(envNamed(c, "PULLSIGHT_MIGRATE").value, "off");
    assert.equal(envNamed(c, "PULLSIGHT_CLUSTER_NAME").value, "prod-eu-1", "the overlay names the cluster");
    assert.equal(c.args[0], "--in-cluster", "arguments for the image's entrypoint");
  });

  it("give every container a restricted security context and resource bounds", () => {
    for (const d of install.filter((o) => o.kind === "Deployment")) {
      assert.equal(podSpec(d).securityContext.runAsNonRoot, true, d.metadata.name);
      for (const c of allContainers(d)) {
        const where = `${d.metadata.name}/${c.name}`;
        assert.equal(c.securityContext.readOnlyRootFilesystem, true, where);
        assert.equal(c.securityContext.allowPrivilegeEscalation, false, where);
        assert.deepEqual(c.securityContext.capabilities.drop, ["ALL"], where);
        assert.ok(
          c.resources.requests.cpu && c.resources.requests.memory && c.resources.limits.memory,
          where,
        );
      }
    }
  });

  it("admit only the sign-in proxy and Prometheus to the web, and the Ingress reaches the proxy", () => {
    const policy = find(install, "NetworkPolicy", "pullsight-web");
    const from = policy.spec.ingress.flatMap((r: { from: unknown[] }) => r.from);
    assert.deepEqual(from, [
      { podSelector: { matchLabels: { "pullsight.dev/trusted-proxy": "true" } } },
      { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } } },
    ]);
    const proxy = find(install, "Deployment", "pullsight-oauth2-proxy");
    assert.equal(proxy.spec.template.metadata.labels["pullsight.dev/trusted-proxy"], "true");
    const ingress = find(install, "Ingress", "pullsight");
    assert.equal(ingress.spec.rules[0].http.paths[0].backend.service.name, "pullsight-oauth2-proxy");
    const proxyConfig = find(install, "ConfigMap", "pullsight-oauth2-proxy");
    assert.match(proxyConfig.data.OAUTH2_PROXY_UPSTREAMS, /^http:\/\/pullsight-web:80\//);
  });

  it("configure the web with settings it accepts: proxy identity from oauth2-proxy's headers", () => {
    const { data } = find(install, "ConfigMap", "pullsight-web");
    const auth = readAuthConfig(data);
    assert.equal(auth.PULLSIGHT_AUTH, "proxy");
    // The headers oauth2-proxy sets with OAUTH2_PROXY_PASS_USER_HEADERS.
    assert.equal(auth.PULLSIGHT_AUTH_USER_HEADER, "x-forwarded-user");
    assert.equal(auth.PULLSIGHT_AUTH_GROUPS_HEADER, "x-forwarded-groups");
    assert.equal(
      find(install, "ConfigMap", "pullsight-oauth2-proxy").data.OAUTH2_PROXY_PASS_USER_HEADERS,
      "true",
    );
    assert.doesNotThrow(() => readLimits(data));
  });
});

describe("image definitions", () => {
  const dockerfile = (app: string) => {
    const text = readFileSync(path.join(root, `apps/${app}/Dockerfile`), "utf8");
    return DockerfileParser.parse(text);
  };

  for (const app of ["web", "collector"] as const) {
    it(`${app}: every stage from a base pinned by digest; the last runs unprivileged and installs nothing`, () => {
      const file = dockerfile(app);
      const args = new Map(
        file.getInitialARGs().flatMap((a) => {
          const p = a.getProperty();
          return p ? [[p.getName(), p.getValue() ?? ""] as const] : [];
        }),
      );
      const froms = file.getFROMs();
      assert.ok(froms.length >= 2, "multi-stage");
      for (const from of froms) {
        const image = (from.getImage() ?? "").replace(
          /^\$\{(\w+)\}$/,
          (_m, name: string) => args.get(name) ?? "",
        );
        assert.match(image, /^[\w./-]+:[\w.-]+@sha256:[0-9a-f]{64}$/, `FROM ${from.getImage()}`);
      }
      const last = froms.at(-1) as (typeof froms)[number];
      const final = file
        .getInstructions()
        .filter((i) => i.getRange().start.line > last.getRange().start.line);
      const keyword = (k: string) => final.filter((i) => i.getKeyword() === k);
      assert.deepEqual(keyword("RUN"), [], "nothing is installed or built in the final stage");
      assert.equal(keyword("USER").at(-1)?.getArgumentsContent(), "65532:65532");
      const copy = keyword("COPY")[0] as unknown as {
        getFlags(): Array<{ getName(): string; getValue(): string | null }>;
      };
      assert.deepEqual(
        copy.getFlags().map((f) => [f.getName(), f.getValue()]),
        [
          ["from", "build"],
          ["chown", "root:root"],
        ],
        "only the build stage's output, owned by root",
      );
    });
  }

  it("build with the script the tests run, and run the commands the manifests name", () => {
    const web = dockerfile("web").getInstructions();
    const runs = web.filter((i) => i.getKeyword() === "RUN").map((i) => i.getArgumentsContent() ?? "");
    assert.match(runs.at(-1) ?? "", /pnpm exec tsx scripts\/image\.ts web \/app$/);
    const cmd = web
      .filter((i) => i.getKeyword() === "CMD")
      .at(-1)
      ?.getArgumentsContent();
    assert.deepEqual(JSON.parse(cmd ?? "[]"), [...IMAGE_COMMANDS.web]);
    const collector = dockerfile("collector").getInstructions();
    const cRuns = collector.filter((i) => i.getKeyword() === "RUN").map((i) => i.getArgumentsContent() ?? "");
    assert.match(cRuns.at(-1) ?? "", /pnpm exec tsx scripts\/image\.ts collector \/app$/);
    const entry = collector
      .filter((i) => i.getKeyword() === "ENTRYPOINT")
      .at(-1)
      ?.getArgumentsContent();
    assert.deepEqual(JSON.parse(entry ?? "[]"), [...IMAGE_COMMANDS.collector]);
  });
});
