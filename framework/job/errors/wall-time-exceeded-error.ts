/** Raised inside a job when it ran longer than its `wallTime`. The run fails and uses an attempt. */
export class WallTimeExceededError extends Error {
  override readonly name = "WallTimeExceededError";
}
