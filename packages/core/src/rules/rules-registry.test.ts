import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { assessContainer, evaluateContainer } from "./evaluate.ts";
import { DIGEST, facts, ids, production, registryAnswer } from "./fixtures.ts";
import type { ContainerFacts, RuntimeFacts } from "./types.ts";

const fires = (id: string, f: ContainerFacts) =>
  assert.ok(ids(f).includes(id), `${id} should fire: ${ids(f).join(",")}`);
const quiet = (id: string, f: ContainerFacts) => assert.ok(!ids(f).includes(id), `${id} should not fire`);

describe("what the registry says (PS019, PS020)", () => {
  const OTHER = `sha256:${"d".repeat(64)}`;
  const answer = registryAnswer;
  const running = (digest = DIGEST, pods = 2): RuntimeFacts => ({
    running: [{ digest, nodes: ["n1", "n2"], pods }],
    waiting: [],
  });
  const result = (id: string, f: ContainerFacts) =>
    evaluateContainer(f, production).find((r) => r.ruleId === id);
  const held = (id: string, f: ContainerFacts) =>
    assert.ok(assessContainer(f, production).unevaluated.includes(id));

  it("PS019: gone, refused or denied to given credentials; critical where the next start must pull", () => {
    const gone = answer({
      outcome: "not-found",
      httpStatus: 404,
      digest: null,
      detail: "404 MANIFEST_UNKNOWN",
    });
    const cached = result("PS019", facts({ registryAnswer: gone, runtime: running() }));
    assert.equal(cached?.severity, "high", "cached on the nodes that run it: one step below critical");
    assert.deepEqual(cached?.since, { at: gone.since, from: "registry" });
    assert.ok(cached);
    assert.equal((cached.evidence as { pullCertain: boolean }).pullCertain, false);
    const always = result(
      "PS019",
      facts({ registryAnswer: gone, runtime: running(), imagePullPolicy: "Always" }),
    );
    assert.equal(always?.severity, "critical");
    const scaledToZero = result(
      "PS019",
      facts({ registryAnswer: gone, runtime: { running: [], waiting: [] } }),
    );
    assert.equal(scaledToZero?.severity, "critical");
    const refused = answer({
      outcome: "refused",
      httpStatus: 412,
      digest: null,
      detail: "412 DENIED: shutting down",
    });
    assert.match(
      result("PS019", facts({ registryAnswer: refused, runtime: running() }))?.message ?? "",
      /shutting down/,
    );
    fires(
      "PS019",
      facts({
        registryAnswer: answer({ outcome: "unauthorized", credentialed: true, digest: null }),
        runtime: running(),
      }),
    );
  });

  it("PS019 and PS020 never fire with Never: the kubelet does not ask the registry", () => {
    const gone = registryAnswer({ outcome: "not-found", httpStatus: 404, digest: null });
    quiet("PS019", facts({ registryAnswer: gone, runtime: running(), imagePullPolicy: "Never" }));
    const moved = registryAnswer({ digest: `sha256:${"d".repeat(64)}` });
    quiet(
      "PS020",
      facts({ image: "app:latest", registryAnswer: moved, runtime: running(), imagePullPolicy: "Never" }),
    );
  });

  it("PS019 says nothing on an anonymous 401, an outage or a throttle (held), and yields to PS009", () => {
    for (const a of [
      answer({ outcome: "unauthorized", credentialed: false, digest: null }),
      answer({ outcome: "rate-limited", digest: null }),
      answer({ outcome: "unreachable", digest: null }),
    ]) {
      quiet("PS019", facts({ registryAnswer: a, runtime: running() }));
      held("PS019", facts({ registryAnswer: a, runtime: running() }));
    }
    held("PS019", facts({ runtime: running() }));
    quiet("PS019", facts({ registryAnswer: answer(), runtime: running() }));
    const failing = facts({
      registryAnswer: answer({ outcome: "not-found", digest: null }),
      runtime: { running: [], waiting: [{ reason: "ErrImagePull", message: "not found", pods: 1 }] },
    });
    fires("PS009", failing);
    quiet("PS019", failing);
  });

  it("PS020: the registry's digest is none of those running; not for digest references", () => {
    const moved = result(
      "PS020",
      facts({ image: "app:latest", registryAnswer: answer({ digest: OTHER }), runtime: running() }),
    );
    assert.ok(moved);
    assert.equal(moved.severity, "medium");
    assert.equal((moved.evidence as { registryDigest: string }).registryDigest, OTHER);
    assert.deepEqual(
      (moved.evidence as { runningDigests: { digest: string }[] }).runningDigests.map((r) => r.digest),
      [DIGEST],
    );
    quiet("PS020", facts({ image: "app:latest", registryAnswer: answer(), runtime: running() }));
    quiet(
      "PS020",
      facts({
        image: `app:latest@${DIGEST}`,
        registryAnswer: answer({ digest: OTHER }),
        runtime: running(),
      }),
    );
    held(
      "PS020",
      facts({
        image: "app:latest",
        registryAnswer: answer({ digest: OTHER }),
        runtime: { running: [], waiting: [] },
      }),
    );
  });
});
