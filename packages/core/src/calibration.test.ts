import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import {
  CALIBRATION_MARGIN,
  CALIBRATION_NOTES,
  type Calibration,
  calibrate,
  calibrationDrift,
  evaluateCorpus,
} from "./calibration.ts";
import { DEFAULT_PUBLIC_REGISTRIES, registryMatches } from "./registry.ts";
import { RULES_VERSION } from "./rules/catalog.ts";
import { DEFAULT_SETTINGS } from "./rules/profiles.ts";
import { tagWords } from "./tag-kind.ts";

const corpus = fileURLToPath(new URL("../corpus/", import.meta.url));
const files = readdirSync(corpus)
  .filter((f) => f.endsWith(".yaml"))
  .sort()
  .map((name) => ({ name, text: readFileSync(`${corpus}${name}`, "utf8") }));
const containers = evaluateCorpus(files);
const baseline = JSON.parse(readFileSync(`${corpus}calibration.json`, "utf8")) as Calibration;
const fired = (c: (typeof containers)[number], id: string) => c.findings.some((f) => f.ruleId === id);
const label = (c: (typeof containers)[number]) =>
  `${c.file}: ${c.facts.subject.name}/${c.facts.subject.container} ${c.facts.image}`;

describe("calibration on published manifests (production profile)", () => {
  it("every corpus file names its source and yields containers", () => {
    for (const f of files) {
      assert.match(f.text, /^# Sources?: /, `${f.name} names where it comes from`);
      assert.ok(
        containers.some((c) => c.file === f.name),
        `${f.name} has containers`,
      );
    }
    assert.ok(containers.length >= 150, `${containers.length} containers`);
  });

  it("firing rates and severities match the baseline within the margin", () => {
    const current = calibrate(containers);
    assert.equal(
      baseline.rulesVersion,
      RULES_VERSION,
      "rules version changed: explain it in CALIBRATION_NOTES and run `pnpm --filter @pullsight/core calibrate`",
    );
    assert.ok(CALIBRATION_NOTES[RULES_VERSION], `no calibration note for ${RULES_VERSION}`);
    assert.equal(current.containers, baseline.containers, "the corpus changed: rewrite the baseline");
    const drift = calibrationDrift(baseline, current, CALIBRATION_MARGIN);
    assert.deepEqual(
      drift,
      [],
      `rates moved:\n${drift.join("\n")}\nexplain it in CALIBRATION_NOTES, bump RULES_VERSION and rewrite the baseline`,
    );
  });

  it("the drift check notices a rule that moved", () => {
    const current = calibrate(containers);
    const moved = structuredClone(current);
    const ps001 = moved.rules.PS001;
    assert.ok(ps001);
    ps001.rate += CALIBRATION_MARGIN * 2;
    assert.equal(calibrationDrift(current, moved).length, 1);
  });

  it("no floating-version container is non-compliant because of PS002 alone", () => {
    for (const c of containers.filter((c) => c.tagKind === "floating-version")) {
      const blocking = c.findings.filter((f) => f.severity !== "info" && f.severity !== "low");
      assert.ok(!(blocking.length === 1 && blocking[0]?.ruleId === "PS002"), label(c));
      assert.ok(!fired(c, "PS002"), label(c));
    }
    assert.ok(containers.some((c) => c.tagKind === "floating-version" && fired(c, "PS016")));
  });

  it("no container of a well-known public registry gets PS007", () => {
    const isPublic = (c: (typeof containers)[number]) => {
      const [domain, ...rest] =
        c.facts.image.includes("/") && /[.:]/.test(c.facts.image.split("/")[0] ?? "")
          ? c.facts.image.split("/")
          : ["docker.io", c.facts.image];
      return DEFAULT_PUBLIC_REGISTRIES.some((p) => registryMatches(p, domain ?? "", rest.join("/")));
    };
    const publicOnes = containers.filter(isPublic);
    assert.ok(publicOnes.length > 100);
    for (const c of publicOnes) assert.ok(!fired(c, "PS007"), label(c));
  });

  it("no container carries PS011 together with PS002 or PS003", () => {
    for (const c of containers)
      assert.ok(!(fired(c, "PS011") && (fired(c, "PS002") || fired(c, "PS003"))), label(c));
  });

  it("every container with a moving variant tag has a mutable-reference finding", () => {
    const moving = new Set([...DEFAULT_SETTINGS.mutableTags, ...DEFAULT_SETTINGS.variantTags]);
    const variants = containers.filter((c) => {
      const tag = c.facts.image.split("@")[0]?.split("/").pop()?.split(":")[1];
      return (
        !!tag &&
        !/[0-9]/.test(tag) &&
        tagWords(tag).every((w) => moving.has(w)) &&
        !c.facts.image.includes("@")
      );
    });
    assert.ok(variants.length >= 10, `${variants.length} variant tags in the corpus`);
    for (const c of variants) assert.ok(fired(c, "PS001"), label(c));
  });
});
