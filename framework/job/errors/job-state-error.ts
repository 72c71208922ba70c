import { Core4Error, type Core4ErrorCode } from "../../errors/core4-error.js";

/** The operation does not apply to the job's current state (restart a running job, remove a running one, ...). */
export class JobStateError extends Core4Error {
  override readonly name = "JobStateError";
  readonly code = "JOB_STATE_CONFLICT" satisfies Core4ErrorCode;
  override readonly kind = "failed_precondition";
}
