/** A job wrote to a collection before calling `setSource()`. */
export class SourceNotSetError extends Error {
  override readonly name = "SourceNotSetError";
}
