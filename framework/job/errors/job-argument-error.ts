import { Core4Error, type Core4ErrorCode } from "../../errors/core4-error.js";

/** A job argument is missing, unknown or has a value that does not convert; raised at enqueue time. */
export class JobArgumentError extends Core4Error {
  override readonly name = "JobArgumentError";
  readonly code = "JOB_ARGUMENT_INVALID" satisfies Core4ErrorCode;
  override readonly kind = "invalid_argument";
  /** The argument at fault (undefined when the arguments as a whole are malformed). */
  readonly argument: string | undefined;

  constructor(message: string, argument?: string, options?: ErrorOptions) {
    super(message, options);
    this.argument = argument;
  }
}
