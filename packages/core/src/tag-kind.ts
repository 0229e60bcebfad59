import { type ImageReference, tryParseImageReference } from "./image-reference.ts";

/**
 * How a reference pins what runs, from most to least deterministic:
 * - digest: `@sha256:…` decides what runs (a tag beside it is ignored by the runtime);
 * - full-version: three or more numeric components (`1.25.3`, `v2.1.0-alpine`);
 * - floating-version: one or two (`1.25`, `18-alpine`), which move with patch releases;
 * - mutable: a well-known moving name (`latest`, `main`, `stable`, …);
 * - untagged: no tag and no digest, which means `latest`;
 * - other: any other tag (build ids, git SHAs, branch names): pinned only by convention;
 * - invalid: not a valid reference at all.
 */
export type TagKind =
  | "digest"
  | "full-version"
  | "floating-version"
  | "mutable"
  | "untagged"
  | "other"
  | "invalid";
export const TAG_KINDS: readonly TagKind[] = [
  "digest",
  "full-version",
  "floating-version",
  "mutable",
  "untagged",
  "other",
  "invalid",
];

/** Tag names that move by design. Profiles can replace the list. Compared case-insensitively. */
export const DEFAULT_MUTABLE_TAGS: readonly string[] = [
  "latest",
  "main",
  "master",
  "stable",
  "edge",
  "dev",
  "develop",
  "development",
  "nightly",
  "head",
  "canary",
  "next",
  "current",
  "rolling",
  "testing",
  "unstable",
  "trunk",
  "snapshot",
  "beta",
  "alpha",
  "preview",
  "release",
  "lts",
];

const isDigit = (c: number) => c >= 48 && c <= 57;

/** Counts leading dot-separated numeric components after an optional "v": "v1.25.3-alpine" → 3. */
function numericComponents(tag: string): { count: number; firstLength: number } {
  let i = tag[0] === "v" || tag[0] === "V" ? 1 : 0;
  let count = 0;
  let firstLength = 0;
  while (i < tag.length) {
    const start = i;
    while (i < tag.length && isDigit(tag.charCodeAt(i))) i++;
    if (i === start) break;
    if (count === 0) firstLength = i - start;
    count++;
    if (tag[i] !== ".") break;
    i++;
    if (i >= tag.length || !isDigit(tag.charCodeAt(i))) break;
  }
  // The numeric part must end the tag or be followed by a suffix separator ("-alpine", "_1", "+build").
  const next = tag[i];
  if (next !== undefined && next !== "-" && next !== "_" && next !== "+" && next !== ".")
    return { count: 0, firstLength };
  return { count, firstLength };
}

/** Classifies a tag on its own (no digest). */
export function classifyTag(
  tag: string | null,
  mutableTags: readonly string[] = DEFAULT_MUTABLE_TAGS,
): TagKind {
  if (tag === null || tag === "") return "untagged";
  const lower = tag.toLowerCase();
  if (mutableTags.some((m) => m.toLowerCase() === lower)) return "mutable";
  const { count, firstLength } = numericComponents(tag);
  if (count >= 3) return "full-version";
  // A lone number of 5+ digits is a build number or a date (20240115), not a major version.
  if (count === 2 || (count === 1 && firstLength <= 4)) return "floating-version";
  return "other";
}

/** Classifies a parsed reference: a digest wins over any tag. */
export function tagKindOf(ref: ImageReference | null, mutableTags?: readonly string[]): TagKind {
  if (!ref) return "invalid";
  if (ref.digest) return "digest";
  return classifyTag(ref.tag, mutableTags);
}

/** Classifies an image string as written in a container spec. */
export function classifyImage(image: string, mutableTags?: readonly string[]): TagKind {
  return tagKindOf(tryParseImageReference(image), mutableTags);
}

/** Kinds whose image can change under the same reference. */
export function isMovingTagKind(kind: TagKind, opts: { includeFloating?: boolean } = {}): boolean {
  return (
    kind === "mutable" ||
    kind === "untagged" ||
    (kind === "floating-version" && opts.includeFloating !== false)
  );
}
