/** Thrown by parseImageReference for input that distribution/reference rejects. */
export class InvalidImageReferenceError extends Error {
  override readonly name = "InvalidImageReferenceError";
  constructor(
    readonly reference: string,
    /** Why, in distribution/reference's own words (e.g. "repository name must be lowercase"). */
    readonly reason: string,
  ) {
    super(
      `invalid image reference ${JSON.stringify(reference.length > 200 ? `${reference.slice(0, 200)}…` : reference)}: ${reason}`,
    );
  }
}
