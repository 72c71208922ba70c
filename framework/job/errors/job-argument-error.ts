/** A job argument is missing, unknown or has a value that does not convert; raised at enqueue time. */
export class JobArgumentError extends Error {
  override readonly name = "JobArgumentError";
  /** The argument at fault (undefined when the arguments as a whole are malformed). */
  readonly argument: string | undefined;

  constructor(message: string, argument?: string) {
    super(message);
    this.argument = argument;
  }
}
