import { Core4Error, type Core4ErrorCode } from "../../errors/core4-error.js";

/** A job of the same name and arguments is already waiting or running (core4's CoreJobExists). */
export class JobExistsError extends Core4Error {
  override readonly name = "JobExistsError";
  readonly code = "JOB_EXISTS" satisfies Core4ErrorCode;
  override readonly kind = "already_exists";

  constructor(
    message: string,
    /** Id of the job that is already queued. */
    readonly existingId: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
