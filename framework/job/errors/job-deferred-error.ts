import { Core4Error, type Core4ErrorCode } from "../../errors/core4-error.js";

/** Thrown by `CoreJob.defer()`: the run ends `deferred` and is retried after `deferTime` without using an attempt. */
export class JobDeferredError extends Core4Error {
  override readonly name = "JobDeferredError";
  readonly code = "JOB_DEFERRED" satisfies Core4ErrorCode;
}
