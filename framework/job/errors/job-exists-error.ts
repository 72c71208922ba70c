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
