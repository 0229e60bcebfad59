import { tryParseImageReference } from "./image-reference.ts";

export type PullPolicy = "Always" | "IfNotPresent" | "Never";
export const PULL_POLICIES: readonly PullPolicy[] = ["Always", "IfNotPresent", "Never"];

/**
 * What the API server fills in when imagePullPolicy is omitted (pkg/apis/core/v1/defaults.go,
 * SetDefaults_Container): parsers.ParseImageName's tag is "latest" → Always, else IfNotPresent.
 * ParseImageName gives "latest" when the name has neither tag nor digest, and an empty tag when
 * the name does not parse, so an unparseable image ("NGINX:latest", "") gets IfNotPresent, and a
 * name with both a tag and a digest keeps its tag ("nginx:latest@sha256:…" → Always).
 */
export function defaultPullPolicy(image: string): "Always" | "IfNotPresent" {
  const ref = tryParseImageReference(image);
  if (!ref) return "IfNotPresent";
  const tag = ref.tag ?? (ref.digest ? "" : "latest");
  return tag === "latest" ? "Always" : "IfNotPresent";
}

export function isPullPolicy(value: unknown): value is PullPolicy {
  return value === "Always" || value === "IfNotPresent" || value === "Never";
}
