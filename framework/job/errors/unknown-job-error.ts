/** No registered plugin provides a job of this name. */
export class UnknownJobError extends Error {
  override readonly name = "UnknownJobError";
}
