/** A job class is malformed (missing or invalid `jobName`, `args` not a zod object, bad settings). */
export class JobDefinitionError extends Error {
  override readonly name = "JobDefinitionError";
}
