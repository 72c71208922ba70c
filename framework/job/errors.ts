/**
 * Errors of the job framework. Each names what was wrong so that a person can act on the one line it prints.
 */

/** A job argument is missing, unknown or has a value that does not convert; raised at enqueue time. */
export class JobArgumentError extends Error {
  override readonly name = "JobArgumentError";
  /** The argument at fault (undefined when the arguments as a whole are malformed). */
  readonly argument: string | undefined;

  constructor(message: string, argument?: string) {
    super(message);
    this.argument = argument;
  }
}

/** A job class is malformed (missing or invalid `jobName`, `args` not a zod object, bad settings). */
export class JobDefinitionError extends Error {
  override readonly name = "JobDefinitionError";
}

/** No registered plugin provides a job of this name. */
export class UnknownJobError extends Error {
  override readonly name = "UnknownJobError";
}

/** A job of the same name and arguments is already waiting or running (core4's CoreJobExists). */
export class JobExistsError extends Error {
  override readonly name = "JobExistsError";

  constructor(
    message: string,
    /** Id of the job that is already queued. */
    readonly existingId: string,
  ) {
    super(message);
  }
}

/** No job has this id (neither in the queue nor in the journal). */
export class JobNotFoundError extends Error {
  override readonly name = "JobNotFoundError";
}

/** The operation does not apply to the job's current state (restart a running job, remove a running one, ...). */
export class JobStateError extends Error {
  override readonly name = "JobStateError";
}

/** A job wrote to a collection before calling `setSource()`. */
export class SourceNotSetError extends Error {
  override readonly name = "SourceNotSetError";
}

/** Raised inside a job when it was killed (its `signal` carries this as the reason). The run ends `killed`. */
export class JobKilledError extends Error {
  override readonly name = "JobKilledError";
}

/** Raised inside a job when it ran longer than its `wallTime`. The run fails and uses an attempt. */
export class WallTimeExceededError extends Error {
  override readonly name = "WallTimeExceededError";
}

/** Raised inside a job when the worker shuts down; the job goes back to the queue without using an attempt. */
export class WorkerShutdownError extends Error {
  override readonly name = "WorkerShutdownError";
}

/** Thrown by `CoreJob.defer()`: the run ends `deferred` and is retried after `deferTime` without using an attempt. */
export class JobDeferredError extends Error {
  override readonly name = "JobDeferredError";
}

/** An inline run (`runInline`) did not complete; carries the state it ended in. */
export class JobRunError extends Error {
  override readonly name = "JobRunError";

  constructor(
    message: string,
    /** The state the run ended in (`error`, `failed`, `killed`, `deferred`, `inactive`). */
    readonly state: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
