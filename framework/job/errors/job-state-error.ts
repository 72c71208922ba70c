/** The operation does not apply to the job's current state (restart a running job, remove a running one, ...). */
export class JobStateError extends Error {
  override readonly name = "JobStateError";
}
