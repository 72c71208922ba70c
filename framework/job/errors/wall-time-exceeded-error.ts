import { Core4Error, type Core4ErrorCode } from "../../errors/core4-error.js";

/** Raised inside a job when it ran longer than its `wallTime`. The run fails and uses an attempt. */
export class WallTimeExceededError extends Core4Error {
  override readonly name = "WallTimeExceededError";
  readonly code = "JOB_WALL_TIME_EXCEEDED" satisfies Core4ErrorCode;
}
