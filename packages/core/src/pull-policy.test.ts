import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { tryParseImageReference } from "./image-reference.ts";
import { defaultPullPolicy } from "./pull-policy.ts";

const D = `sha256:${"a".repeat(64)}`;

describe("defaultPullPolicy matches SetDefaults_Container", () => {
  const cases: Array<[string, "Always" | "IfNotPresent"]> = [
    ["nginx", "Always"], // no tag, no digest → latest
    ["nginx:latest", "Always"],
    ["docker.io/library/nginx:latest", "Always"],
    ["localhost:5000/app", "Always"], // the port is not a tag
    ["localhost:5000/app:latest", "Always"],
    ["ghcr.io/org/app", "Always"],
    ["nginx:1.27", "IfNotPresent"],
    ["nginx:Latest", "IfNotPresent"], // tags are case-sensitive
    ["nginx:latest-alpine", "IfNotPresent"],
    ["nginx:main", "IfNotPresent"], // only "latest" defaults to Always
    [`nginx@${D}`, "IfNotPresent"], // digest only: tag is empty
    [`nginx:latest@${D}`, "Always"], // both: ParseImageName keeps the tag
    [`nginx:1.27@${D}`, "IfNotPresent"],
    ["", "IfNotPresent"], // unparseable: empty tag
    ["NGINX", "IfNotPresent"],
    ["NGINX:latest", "IfNotPresent"],
    ["nginx:", "IfNotPresent"],
    ["nginx:latest ", "IfNotPresent"],
    [" nginx", "IfNotPresent"],
    ["a".repeat(64), "IfNotPresent"], // a 64-hex identifier is not a repository
    ["nginx:latest:latest", "IfNotPresent"],
    ["Docker/app", "Always"], // uppercase first component is a domain
    ["192.168.0.1:80", "IfNotPresent"], // docker.io/library/192.168.0.1, tag 80
  ];
  for (const [image, expected] of cases) {
    it(`${JSON.stringify(image)} → ${expected}`, () => assert.equal(defaultPullPolicy(image), expected));
  }

  it("gives Always exactly when the reference parses with tag latest, or with neither tag nor digest", () => {
    const image = fc.oneof(
      fc.string({ maxLength: 80 }),
      fc
        .tuple(
          fc.constantFrom("nginx", "ghcr.io/a/b", "localhost:5000/x", "X/y"),
          fc.constantFrom("", ":latest", ":1.2", ":Latest"),
          fc.constantFrom("", `@${D}`),
        )
        .map(([n, t, d]) => `${n}${t}${d}`),
    );
    fc.assert(
      fc.property(image, (s) => {
        const ref = tryParseImageReference(s);
        const latest = ref !== null && (ref.tag === "latest" || (ref.tag === null && ref.digest === null));
        return defaultPullPolicy(s) === (latest ? "Always" : "IfNotPresent");
      }),
      { numRuns: 3000 },
    );
  });
});
