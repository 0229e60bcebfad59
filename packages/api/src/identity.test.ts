import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import path from "node:path";
import { describe, it } from "node:test";
import { repoRoot } from "@pullsight/db/bootstrap";
import { chooseIdentityMode, readAuthConfig, resolveIdentity } from "./identity.ts";

describe("identity", () => {
  const proxy = readAuthConfig({
    PULLSIGHT_AUTH: "proxy",
    PULLSIGHT_ADMINS: "user:ada@example.com, group:platform-admins",
    PULLSIGHT_REVIEWERS: "group:sre",
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

  it("proxy mode: users and groups are separate, so a user named like an admin group is not an admin", () => {
    assert.equal(resolveIdentity(headers({ "x-forwarded-user": "platform-admins" }), proxy)?.role, "viewer");
    assert.equal(
      resolveIdentity(headers({ "x-forwarded-user": "x", "x-forwarded-groups": "ada@example.com" }), proxy)
        ?.role,
      "viewer",
      "a group named like an admin user is not an admin",
    );
  });

  it("proxy mode: the user header names the person; the email only when no user is sent", () => {
    const both = headers({ "x-forwarded-user": "u-123", "x-forwarded-email": "ada@example.com" });
    assert.equal(resolveIdentity(both, proxy)?.name, "u-123");
    assert.equal(resolveIdentity(both, proxy)?.role, "admin", "user: entries match the email too");
    assert.equal(resolveIdentity(headers({ "x-forwarded-user": "  " }), proxy), null, "blank is nobody");
  });

  it("proxy mode ignores the demo role cookie", () => {
    assert.equal(
      resolveIdentity(headers({ "x-forwarded-user": "carol", cookie: "pullsight_role=admin" }), proxy)?.role,
      "viewer",
    );
  });

  it("demo mode: the configured user, whose role a cookie may switch to look as another role", () => {
    const demo = readAuthConfig({
      PULLSIGHT_AUTH: "demo",
      PULLSIGHT_DEMO_USER: "demo",
      PULLSIGHT_DEMO_ROLE: "reviewer",
    });
    assert.deepEqual(resolveIdentity(headers({ "x-forwarded-user": "mallory" }), demo), {
      name: "demo",
      role: "reviewer",
      source: "demo",
    });
    assert.equal(resolveIdentity(headers({ cookie: "a=b; pullsight_role=viewer" }), demo)?.role, "viewer");
    assert.equal(resolveIdentity(headers({ cookie: "pullsight_role=root" }), demo)?.role, "reviewer");
    assert.equal(resolveIdentity(headers({ cookie: "pullsight_role=%ZZ" }), demo)?.role, "reviewer");
    assert.equal(resolveIdentity(headers({ cookie: "pullsight_role=%E0%A4%A" }), demo)?.role, "reviewer");
  });

  it("rejects a bad configuration with the reason", () => {
    assert.throws(() => readAuthConfig({ PULLSIGHT_AUTH: "ldap" }), /PULLSIGHT_AUTH/);
    assert.throws(() => readAuthConfig({}), /PULLSIGHT_AUTH must be demo or proxy/, "no silent default");
    assert.throws(
      () => readAuthConfig({ PULLSIGHT_AUTH: "proxy", PULLSIGHT_ADMINS: "user:ada, platform-admins" }),
      /user:platform-admins or group:platform-admins/,
    );
  });

  it("demo identity by itself only for the demo on loopback; elsewhere it must be asked for", () => {
    for (const host of ["127.0.0.1", "localhost", "::1", "127.0.0.2"])
      assert.equal(chooseIdentityMode({ requested: undefined, demoLaunch: true, host }).mode, "demo", host);
    for (const host of ["0.0.0.0", "::", "10.1.2.3", "pullsight.example"])
      assert.throws(
        () => chooseIdentityMode({ requested: undefined, demoLaunch: true, host }),
        /PULLSIGHT_AUTH/,
      );
    assert.throws(
      () => chooseIdentityMode({ requested: undefined, demoLaunch: false, host: "127.0.0.1" }),
      /no identity mode/,
      "a real database without a chosen mode",
    );
    const forced = chooseIdentityMode({ requested: "demo", demoLaunch: false, host: "0.0.0.0" });
    assert.equal(forced.mode, "demo");
    assert.match(forced.warning ?? "", /0\.0\.0\.0/);
    assert.deepEqual(chooseIdentityMode({ requested: "proxy", demoLaunch: true, host: "0.0.0.0" }), {
      mode: "proxy",
      warning: null,
    });
  });

  it("npm start refuses to serve the demo beyond loopback, before it starts anything", async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, PULLSIGHT_HOST: "0.0.0.0" };
    for (const k of ["PULLSIGHT_AUTH", "DATABASE_URL", "PULLSIGHT_KUBECONFIG"]) delete env[k];
    const child = spawn(
      process.execPath,
      ["--import", "tsx", path.join(repoRoot, "apps/demo/src/start.ts")],
      {
        cwd: repoRoot,
        env,
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
    assert.equal(code, 2, output);
    assert.match(output, /not starting: the demo listens on 0\.0\.0\.0/);
    assert.doesNotMatch(output, /database ready/);
  });
});
