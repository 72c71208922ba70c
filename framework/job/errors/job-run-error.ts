import { Core4Error, type Core4ErrorCode } from "../../errors/core4-error.js";

/** An inline run (`runInline`) did not complete; carries the state it ended in. */
export class JobRunError extends Core4Error {
  override readonly name = "JobRunError";
  readonly code = "JOB_RUN_FAILED" satisfies Core4ErrorCode;

  constructor(
    message: string,
    /** The state the run ended in (`error`, `failed`, `killed`, `deferred`, `inactive`). */
    readonly state: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
