import { Core4Error, type Core4ErrorCode } from "../../errors/core4-error.js";

/** Raised inside a job when it was killed (its `signal` carries this as the reason). The run ends `killed`. */
export class JobKilledError extends Core4Error {
  override readonly name = "JobKilledError";
  readonly code = "JOB_KILLED" satisfies Core4ErrorCode;
}
