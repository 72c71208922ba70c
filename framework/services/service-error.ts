import { Core4Error, type Core4ErrorCode } from "../errors/core4-error.js";

/**
 * A service could not be started, reached or stopped. The message is one line that names the service, its
 * (redacted) address and what to do about it, fit to print as a command's only output.
 */
export class ServiceError extends Core4Error {
  override readonly name = "ServiceError";
  readonly code = "SERVICE_UNAVAILABLE" satisfies Core4ErrorCode;
  override readonly kind = "unavailable";
}
