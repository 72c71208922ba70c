/** No job has this id (neither in the queue nor in the journal). */
export class JobNotFoundError extends Error {
  override readonly name = "JobNotFoundError";
}
