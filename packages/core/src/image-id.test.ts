import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { parseImageID } from "./image-id.ts";

const H = "4c0fdaa8b6341bfdeca5f18f7837462c80cff90527ee35ef185571e1c327beac";

describe("parseImageID", () => {
  const cases: Array<[string, string | null, string | null]> = [
    [`docker.io/library/nginx@sha256:${H}`, "docker.io/library/nginx", `sha256:${H}`], // containerd
    [`docker-pullable://nginx@sha256:${H}`, "docker.io/library/nginx", `sha256:${H}`], // dockershim
    [
      `docker-pullable://registry.example.com:5000/team/app@sha256:${H}`,
      "registry.example.com:5000/team/app",
      `sha256:${H}`,
    ],
    [`docker://sha256:${H}`, null, `sha256:${H}`], // dockershim, image id
    [`sha256:${H}`, null, `sha256:${H}`], // bare id
    [`quay.io/prometheus/node-exporter@sha256:${H}`, "quay.io/prometheus/node-exporter", `sha256:${H}`],
    ["docker.io/library/nginx:1.27", "docker.io/library/nginx", null],
    ["", null, null],
    ["   ", null, null],
  ];
  for (const [id, name, digest] of cases) {
    it(`reads ${JSON.stringify(id.slice(0, 50))}`, () =>
      assert.deepEqual(parseImageID(id), { name, digest }));
  }

  it("never throws and returns strings or nulls", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (s) => {
        const r = parseImageID(s);
        return (
          (r.name === null || typeof r.name === "string") && (r.digest === null || r.digest.includes(":"))
        );
      }),
      { numRuns: 3000 },
    );
  });
});
