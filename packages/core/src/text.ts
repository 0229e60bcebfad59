// Text PostgreSQL can store and every consumer can encode: no NUL character (a text column
// cannot hold one) and no lone UTF-16 surrogate (not Unicode; UTF-8 encoders reject or mangle it).
// Kubernetes names, labels and images never contain either, so input that does is refused.

// With the u flag a surrogate pair is one code point; only a lone surrogate matches.
const LONE_SURROGATE = /\p{Surrogate}/u;

/** Why a string cannot be stored, or null when it can. */
export function unstorableText(s: string): string | null {
  if (s.includes("\0")) return "contains a NUL character (\\u0000)";
  if (LONE_SURROGATE.test(s)) return "contains a lone UTF-16 surrogate (not valid Unicode)";
  return null;
}
