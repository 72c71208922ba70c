/**
 * A report argument that cannot be used: unparseable date, end before start, unknown aggregate, a range
 * longer than configured. `status` 400 and `expose` follow the Koa/http-errors convention, so the server
 * replies 400 with the message; `argument` names the offending argument.
 */
export class ReportArgumentError extends Error {
  override readonly name = "ReportArgumentError";
  /** HTTP status the server replies with. */
  readonly status = 400;
  /** The message is safe to show to the caller. */
  readonly expose = true;

  /**
   * @param argument the argument at fault (`start`, `end`, `aggregate`, `width`, ...)
   * @param message what is wrong with it, starting with the argument's name
   */
  constructor(
    readonly argument: string,
    message: string,
  ) {
    super(message);
  }
}
