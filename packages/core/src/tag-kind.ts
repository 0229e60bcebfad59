import { type ImageReference, tryParseImageReference } from "./image-reference.ts";

/**
 * How a reference pins what runs, from most to least deterministic:
 * - digest: `@sha256:…` decides what runs (a tag beside it is ignored by the runtime);
 * - full-version: three or more numeric components (`1.25.3`, `v2.1.0-alpine`);
 * - floating-version: one or two (`1.25`, `18-alpine`), which move with patch releases;
 * - mutable: a moving name (`latest`, `main`, `stable`, …), a bare variant (`alpine`, `slim`), or
 *   words of those only (`stable-alpine`, `main-latest`);
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

/**
 * Words that name a moving tag (`latest`, `main`, `stable`, …), alone or as one component of a
 * tag (`main-latest`, `stable-alpine`, `latest_release`). Profiles can replace the list.
 * Compared case-insensitively.
 */
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

/**
 * Variant names that, standing without a version, follow the newest release of their image:
 * `redis:alpine`, `python:slim`, `distroless/static:nonroot`, `php:fpm-alpine`. A tag made only
 * of these words (and mutable words) moves like `latest`. Profiles can replace the list.
 */
export const DEFAULT_VARIANT_TAGS: readonly string[] = [
  "alpine",
  "slim",
  "bookworm",
  "bullseye",
  "buster",
  "stretch",
  "trixie",
  "noble",
  "jammy",
  "focal",
  "bionic",
  "xenial",
  "debian",
  "ubuntu",
  "ubi",
  "distroless",
  "windowsservercore",
  "nanoserver",
  "jre",
  "jdk",
  "fpm",
  "apache",
  "cli",
  "zts",
  "musl",
  "glibc",
  "nonroot",
  "debug",
  "minimal",
  "full",
  "perl",
];

/** The words that make a tag move: mutable names and bare variant names. */
export interface TagVocabulary {
  mutableTags: readonly string[];
  variantTags: readonly string[];
}

export const DEFAULT_TAG_VOCABULARY: TagVocabulary = {
  mutableTags: DEFAULT_MUTABLE_TAGS,
  variantTags: DEFAULT_VARIANT_TAGS,
};

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

/** A tag's components: lower-cased, split at the separators a tag may contain (`-`, `_`, `.`). */
export function tagWords(tag: string): string[] {
  return tag
    .toLowerCase()
    .split(/[-_.]+/)
    .filter((w) => w !== "");
}

const hasDigit = (word: string) => /[0-9]/.test(word);

/** A vocabulary's words as lower-cased sets, built once per list (profiles reuse their arrays). */
const wordSets = new WeakMap<readonly string[], ReadonlySet<string>>();
function wordSet(words: readonly string[]): ReadonlySet<string> {
  let set = wordSets.get(words);
  if (!set) {
    set = new Set(words.map((w) => w.toLowerCase()));
    wordSets.set(words, set);
  }
  return set;
}

/**
 * Whether a tag without a version moves by its words: every component is a mutable or variant
 * name (`alpine`, `stable-alpine`, `bookworm-slim`), or one is a mutable name and none carries
 * a digit (`master-head`, `main-latest`, `latest_release`). A digit marks a build (`main-4f2a9c1`).
 */
function movesByWords(tag: string, vocabulary: TagVocabulary): boolean {
  const words = tagWords(tag);
  if (!words.length) return false;
  const mutable = wordSet(vocabulary.mutableTags);
  const variants = wordSet(vocabulary.variantTags);
  if (words.every((w) => mutable.has(w) || variants.has(w))) return true;
  return words.some((w) => mutable.has(w)) && !words.some(hasDigit);
}

/** Classifies a tag on its own (no digest). */
export function classifyTag(tag: string | null, vocabulary: TagVocabulary = DEFAULT_TAG_VOCABULARY): TagKind {
  if (tag === null || tag === "") return "untagged";
  if (wordSet(vocabulary.mutableTags).has(tag.toLowerCase())) return "mutable";
  const { count, firstLength } = numericComponents(tag);
  if (count >= 3) return "full-version";
  // A lone number of 5+ digits is a build number or a date (20240115), not a major version.
  if (count === 2 || (count === 1 && firstLength <= 4)) return "floating-version";
  return movesByWords(tag, vocabulary) ? "mutable" : "other";
}

/** Classifies a parsed reference: a digest wins over any tag. */
export function tagKindOf(ref: ImageReference | null, vocabulary?: TagVocabulary): TagKind {
  if (!ref) return "invalid";
  if (ref.digest) return "digest";
  return classifyTag(ref.tag, vocabulary);
}

/** Classifies an image string as written in a container spec. */
export function classifyImage(image: string, vocabulary?: TagVocabulary): TagKind {
  return tagKindOf(tryParseImageReference(image), vocabulary);
}

/** Kinds whose image can change under the same reference. */
export function isMovingTagKind(kind: TagKind, opts: { includeFloating?: boolean } = {}): boolean {
  return (
    kind === "mutable" ||
    kind === "untagged" ||
    (kind === "floating-version" && opts.includeFloating !== false)
  );
}
