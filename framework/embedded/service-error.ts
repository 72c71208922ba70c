/**
 * A service could not be started, reached or stopped. The message is one line that names the service, its
 * (redacted) address and what to do about it, fit to print as a command's only output.
 */
export class ServiceError extends Error {
  override readonly name = "ServiceError";
}
