/** An inline run (`runInline`) did not complete; carries the state it ended in. */
export class JobRunError extends Error {
  override readonly name = "JobRunError";

  constructor(
    message: string,
    /** The state the run ended in (`error`, `failed`, `killed`, `deferred`, `inactive`). */
    readonly state: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
