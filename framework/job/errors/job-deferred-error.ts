/** Thrown by `CoreJob.defer()`: the run ends `deferred` and is retried after `deferTime` without using an attempt. */
export class JobDeferredError extends Error {
  override readonly name = "JobDeferredError";
}
