import { Core4Error, type Core4ErrorCode } from "../../errors/core4-error.js";

/** Raised inside a job when the worker shuts down; the job goes back to the queue without using an attempt. */
export class WorkerShutdownError extends Core4Error {
  override readonly name = "WorkerShutdownError";
  readonly code = "WORKER_SHUTDOWN" satisfies Core4ErrorCode;
}
