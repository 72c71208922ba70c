import { Core4Error, type Core4ErrorCode } from "../../errors/core4-error.js";

/** A job wrote to a collection before calling `setSource()`. */
export class SourceNotSetError extends Core4Error {
  override readonly name = "SourceNotSetError";
  readonly code = "JOB_SOURCE_NOT_SET" satisfies Core4ErrorCode;
}
