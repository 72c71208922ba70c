import { Core4Error, type Core4ErrorCode } from "../../errors/core4-error.js";

/** No registered plugin provides a job of this name. */
export class UnknownJobError extends Core4Error {
  override readonly name = "UnknownJobError";
  readonly code = "JOB_UNKNOWN" satisfies Core4ErrorCode;
  override readonly kind = "not_found";
}
