import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { DEFAULT_PROFILES, ownerFor, parseProfiles } from "./rules/profiles.ts";
import { DEFAULT_OWNER_KEYS, normalizeTeam, ownerFromMetadata, UNOWNED } from "./teams.ts";

// The reference model: for each key in order, a label names the team, else an annotation does.
function referenceOwner(keys: string[], labels: Record<string, string>, annotations: Record<string, string>) {
  for (const key of keys)
    for (const [where, map] of [
      ["label", labels],
      ["annotation", annotations],
    ] as const) {
      const v = map[key]?.trim().replace(/\s+/g, " ").toLowerCase();
      if (v && v !== UNOWNED) return { owner: v, source: `${where}:${key}` };
    }
  return { owner: null, source: null };
}

describe("namespace owners", () => {
  const key = fc.constantFrom("team", "owner", "app.kubernetes.io/part-of", "squad");
  const value = fc.oneof(
    fc.constantFrom("", "  ", "Payments", " growth ", "data  eng", UNOWNED),
    fc.string(),
  );
  const metadata = fc.dictionary(key, value);

  it("takes the first key that a label, then an annotation, gives a name (property)", () => {
    fc.assert(
      fc.property(fc.uniqueArray(key, { minLength: 1 }), metadata, metadata, (keys, labels, annotations) =>
        assert.deepEqual(
          ownerFromMetadata(keys, labels, annotations),
          referenceOwner(keys, labels, annotations),
        ),
      ),
    );
  });

  it("folds case and spacing so that one team has one name, and reads no name from blanks", () => {
    assert.equal(normalizeTeam("  Payments   Core "), "payments core");
    assert.equal(normalizeTeam(" \t"), null);
    assert.equal(normalizeTeam(UNOWNED), null);
  });

  it("reads team, owner and app.kubernetes.io/part-of by default, labels before annotations", () => {
    assert.deepEqual(DEFAULT_PROFILES.owners.keys, [...DEFAULT_OWNER_KEYS]);
    const cluster = { name: "prod-eu", labels: {} };
    assert.deepEqual(
      ownerFor(DEFAULT_PROFILES, cluster, {
        name: "shop",
        labels: { "app.kubernetes.io/part-of": "storefront" },
        annotations: { owner: "Checkout" },
      }),
      { owner: "checkout", source: "annotation:owner" },
    );
    assert.deepEqual(ownerFor(DEFAULT_PROFILES, cluster, { name: "x", labels: {} }), {
      owner: null,
      source: null,
    });
  });

  it("lets the profiles file override per cluster and namespace and choose its own keys", () => {
    const file = parseProfiles(`
apiVersion: pullsight.dev/v1
kind: Profiles
owners:
  keys: [squad]
  assignments:
    - owner: " Platform "
      namespaces: { names: [kube-*] }
    - owner: payments
      clusters: { names: [prod-*] }
      namespaces: { names: [billing] }
`);
    const prod = { name: "prod-eu", labels: {} };
    const dev = { name: "dev", labels: {} };
    assert.deepEqual(ownerFor(file, prod, { name: "kube-system", labels: { team: "x" } }), {
      owner: "platform",
      source: "override",
    });
    assert.deepEqual(
      ownerFor(file, prod, { name: "billing", labels: { squad: "ledger" } }).owner,
      "payments",
    );
    assert.deepEqual(ownerFor(file, dev, { name: "billing", labels: { squad: "ledger" } }), {
      owner: "ledger",
      source: "label:squad",
    });
    assert.equal(ownerFor(file, dev, { name: "billing", labels: { team: "ledger" } }).owner, null);
  });

  it("refuses an override without a team name", () => {
    assert.throws(
      () =>
        parseProfiles(
          "apiVersion: pullsight.dev/v1\nkind: Profiles\nowners:\n  assignments: [{ owner: '  ' }]\n",
        ),
      /an owner needs a name/,
    );
  });
});
