import { Core4Error, type Core4ErrorCode } from "../../errors/core4-error.js";

/** No job has this id (neither in the queue nor in the journal). */
export class JobNotFoundError extends Core4Error {
  override readonly name = "JobNotFoundError";
  readonly code = "JOB_NOT_FOUND" satisfies Core4ErrorCode;
  override readonly kind = "not_found";
}
