import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { readAuthConfig, resolveIdentity } from "./identity.ts";

describe("identity", () => {
  const proxy = readAuthConfig({
    PULLSIGHT_AUTH: "proxy",
    PULLSIGHT_ADMINS: "ada@example.com, platform-admins",
    PULLSIGHT_REVIEWERS: "sre",
  });
  const headers = (h: Record<string, string>) => new Headers(h);

  it("proxy mode: names come from oauth2-proxy's headers, roles from the user and group lists", () => {
    assert.deepEqual(resolveIdentity(headers({ "x-forwarded-email": "ada@example.com" }), proxy), {
      name: "ada@example.com",
      role: "admin",
      source: "proxy",
    });
    assert.equal(
      resolveIdentity(headers({ "x-forwarded-user": "bob", "x-forwarded-groups": "dev, SRE" }), proxy)?.role,
      "reviewer",
    );
    assert.equal(
      resolveIdentity(headers({ "x-forwarded-user": "eve", "x-forwarded-groups": "platform-admins" }), proxy)
        ?.role,
      "admin",
    );
    assert.equal(resolveIdentity(headers({ "x-forwarded-user": "carol" }), proxy)?.role, "viewer");
    assert.equal(resolveIdentity(headers({}), proxy), null, "no header, no identity");
  });

  it("proxy mode ignores the demo role cookie", () => {
    assert.equal(
      resolveIdentity(headers({ "x-forwarded-user": "carol", cookie: "pullsight_role=admin" }), proxy)?.role,
      "viewer",
    );
  });

  it("demo mode: the configured user, whose role a cookie may switch to look as another role", () => {
    const demo = readAuthConfig({ PULLSIGHT_DEMO_USER: "demo", PULLSIGHT_DEMO_ROLE: "reviewer" });
    assert.deepEqual(resolveIdentity(headers({ "x-forwarded-user": "mallory" }), demo), {
      name: "demo",
      role: "reviewer",
      source: "demo",
    });
    assert.equal(resolveIdentity(headers({ cookie: "a=b; pullsight_role=viewer" }), demo)?.role, "viewer");
    assert.equal(resolveIdentity(headers({ cookie: "pullsight_role=root" }), demo)?.role, "reviewer");
  });

  it("rejects a bad configuration with the reason", () => {
    assert.throws(() => readAuthConfig({ PULLSIGHT_AUTH: "ldap" }), /PULLSIGHT_AUTH/);
  });
});
