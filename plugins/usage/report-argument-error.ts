import { Core4Error } from "core4ts";

/**
 * A report argument that cannot be used: unparseable date, end before start, unknown aggregate, a range
 * longer than configured. Its kind `invalid_argument` makes the server reply 400 with the message (and the
 * CLI print `bad_argument`); `argument` names the offending argument.
 */
export class ReportArgumentError extends Core4Error {
  override readonly name = "ReportArgumentError";
  readonly code = "USAGE_REPORT_ARGUMENT";
  override readonly kind = "invalid_argument";

  /**
   * @param argument the argument at fault (`start`, `end`, `aggregate`, `width`, ...)
   * @param message what is wrong with it, starting with the argument's name
   * @param options `cause`: the error underneath
   */
  constructor(
    readonly argument: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
