import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { parseAllDocuments } from "yaml";
import { KINDS } from "./k8s/kinds.ts";

const deploy = (p: string) => fileURLToPath(new URL(`../deploy/${p}`, import.meta.url));
const docs = (p: string): unknown[] =>
  parseAllDocuments(readFileSync(deploy(p), "utf8")).map((d) => d.toJS() as unknown);

interface Role {
  kind: string;
  rules: Array<{ apiGroups: string[]; resources: string[]; verbs: string[] }>;
}
interface DeploymentDoc {
  spec: {
    strategy: { type: string };
    template: {
      spec: {
        securityContext: { runAsNonRoot: boolean };
        containers: Array<{ securityContext: { readOnlyRootFilesystem: boolean } }>;
      };
    };
  };
}

describe("deploy manifests", () => {
  const role = (docs("base/rbac.yaml") as Role[]).find((d) => d.kind === "ClusterRole") as Role;

  it("the ClusterRole grants read access to exactly the kinds the collector reads, plus events", () => {
    const granted = new Set(role.rules.flatMap((r) => r.resources.map((res) => `${r.apiGroups[0]}/${res}`)));
    const group = (path: string) => (path.startsWith("/apis/") ? (path.split("/")[2] as string) : "");
    const needed = new Set([...KINDS.map((k) => `${group(k.path)}/${k.key}`), "/events"]);
    assert.deepEqual([...granted].sort(), [...needed].sort());
  });

  it("grants no write verb, and Secrets only list", () => {
    for (const r of role.rules) {
      for (const v of r.verbs) assert.ok(["get", "list", "watch"].includes(v), `${r.resources} ${v}`);
      if (r.resources.includes("secrets")) assert.deepEqual(r.verbs, ["list"]);
    }
  });

  it("the no-secrets component removes exactly the Secrets rule and adds --skip-secrets", () => {
    const component = docs("components/no-secrets/kustomization.yaml")[0] as {
      patches: Array<{ patch: string }>;
    };
    const index = Number(/\/rules\/(\d+)/.exec(component.patches[0]?.patch ?? "")?.[1]);
    assert.deepEqual(role.rules[index]?.resources, ["secrets"]);
    assert.match(component.patches[1]?.patch ?? "", /--skip-secrets/);
  });

  it("the kubelet-configz component adds only get on nodes/proxy and --kubelet-config", () => {
    const component = docs("components/kubelet-configz/kustomization.yaml")[0] as {
      patches: Array<{ patch: string }>;
    };
    const [rule] = parseAllDocuments(component.patches[0]?.patch ?? "").map(
      (d) => d.toJS() as Array<{ op: string; path: string; value: Role["rules"][number] }>,
    );
    assert.deepEqual(rule, [
      { op: "add", path: "/rules/-", value: { apiGroups: [""], resources: ["nodes/proxy"], verbs: ["get"] } },
    ]);
    assert.ok(!role.rules.some((r) => r.resources.includes("nodes/proxy")), "not in the base role");
    assert.match(component.patches[1]?.patch ?? "", /--kubelet-config/);
  });

  it("runs one collector at a time, unprivileged", () => {
    const d = docs("base/deployment.yaml")[0] as DeploymentDoc;
    assert.equal(d.spec.strategy.type, "Recreate");
    assert.equal(d.spec.template.spec.securityContext.runAsNonRoot, true);
    assert.equal(d.spec.template.spec.containers[0]?.securityContext.readOnlyRootFilesystem, true);
  });
});
