import { Core4Error, type Core4ErrorCode } from "../../errors/core4-error.js";

/** A job class is malformed (missing or invalid `jobName`, `args` not a zod object, bad settings). */
export class JobDefinitionError extends Core4Error {
  override readonly name = "JobDefinitionError";
  readonly code = "JOB_DEFINITION_INVALID" satisfies Core4ErrorCode;
}
