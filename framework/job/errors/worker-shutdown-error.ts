/** Raised inside a job when the worker shuts down; the job goes back to the queue without using an attempt. */
export class WorkerShutdownError extends Error {
  override readonly name = "WorkerShutdownError";
}
