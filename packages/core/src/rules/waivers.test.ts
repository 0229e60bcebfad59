import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { globMatches } from "./profiles.ts";
import { globToLike, isWaiverActive, type WaiverScope, waiverMatches } from "./waivers.ts";

const name = fc.stringMatching(/^[a-z0-9-]{1,12}$/);
const subject = fc.record({
  cluster: name,
  namespace: name,
  kind: fc.constantFrom("Deployment", "Job", "Pod"),
  name,
});
const image = fc.stringMatching(/^[a-z0-9./:@_%\\-]{1,30}$/);

/** A reference implementation of LIKE with backslash escapes, to check globToLike against. */
function likeMatches(like: string, value: string): boolean {
  let re = "^";
  for (let i = 0; i < like.length; i++) {
    const ch = like[i] as string;
    if (ch === "\\") re += (like[++i] ?? "").replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    else if (ch === "%") re += "[\\s\\S]*";
    else if (ch === "_") re += "[\\s\\S]";
    else re += ch.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`${re}$`).test(value);
}

describe("waivers", () => {
  it("a waiver scoped to exactly a finding's subject matches it; changing any one field does not", () => {
    fc.assert(
      fc.property(subject, image, fc.constantFrom("PS001", "PS002"), name, (s, img, ruleId, other) => {
        const exact: WaiverScope = {
          ruleId,
          cluster: s.cluster,
          namespace: s.namespace,
          workloadKind: s.kind,
          workloadName: s.name,
          imagePattern: img.replaceAll("*", ""),
        };
        const finding = { ruleId, subject: s, image: img.replaceAll("*", "") };
        assert.ok(waiverMatches(exact, finding));
        assert.ok(waiverMatches({ ruleId }, finding), "an unscoped waiver of the rule matches");
        assert.ok(!waiverMatches({ ...exact, ruleId: `${ruleId}x` }, finding));
        for (const field of ["cluster", "namespace", "workloadName"] as const)
          if (other !== s[field === "workloadName" ? "name" : field])
            assert.ok(!waiverMatches({ ...exact, [field]: other }, finding), field);
      }),
    );
  });

  it("image patterns: `*` is any run; the LIKE translation matches exactly what the glob does", () => {
    const pattern = fc.stringMatching(/^[a-z0-9.*/:%_\\-]{0,12}$/);
    fc.assert(
      fc.property(pattern, image, (p, img) => {
        assert.equal(likeMatches(globToLike(p), img), globMatches(p, img), `${p} vs ${img}`);
      }),
      { numRuns: 2000 },
    );
    assert.ok(globMatches("docker.io/library/*", "docker.io/library/nginx:1.27"));
    assert.equal(globToLike("a_b%c\\*"), "a\\_b\\%c\\\\%");
  });

  it("is active until it expires or is revoked", () => {
    const at = new Date("2026-11-21T12:00:00Z");
    assert.ok(isWaiverActive({ expiresAt: new Date("2026-11-22T00:00:00Z") }, at));
    assert.ok(!isWaiverActive({ expiresAt: at }, at), "expired at that instant");
    assert.ok(
      !isWaiverActive(
        { expiresAt: new Date("2027-01-01T00:00:00Z"), revokedAt: new Date("2026-11-20T00:00:00Z") },
        at,
      ),
    );
    assert.ok(
      isWaiverActive(
        { expiresAt: new Date("2027-01-01T00:00:00Z"), revokedAt: new Date("2026-11-23T00:00:00Z") },
        at,
      ),
      "revoked later: still active then",
    );
  });
});
