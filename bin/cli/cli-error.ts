/**
 * The stable codes of CLI errors (docs/contracts.md "CLI"): `--json` commands print them on stderr as
 * `{"error": "<one line>", "code": "<code>"}`, so scripts can tell a refused duplicate from a typo.
 */
export type CliErrorCode =
  | "usage"
  | "bad_argument"
  | "duplicate"
  | "not_found"
  | "unknown_job"
  | "bad_state"
  | "config"
  | "unavailable"
  | "interrupted"
  | "failed"
  | "error";

/** An error the CLI prints as one line and exits 1 on (or 2 for a usage error). */
export class CliError extends Error {
  override readonly name = "CliError";
  /** Stable code of the error. */
  readonly code: CliErrorCode;

  constructor(message: string, code: CliErrorCode = "error") {
    super(message);
    this.code = code;
  }
}

/** A command line that does not fit the command: exit 2 with the usage line. */
export class UsageError extends CliError {
  constructor(message: string) {
    super(message, "usage");
  }
}

/** The one line printed for an error: its message, without "Error:" noise. */
export function errorLine(error: unknown): string {
  if (error instanceof Error) {
    const first = (error.message || error.name).split("\n")[0] ?? error.name;
    return first.trim();
  }
  return String(error);
}

// By class name rather than instanceof: the framework's errors may come from another copy of the package.
const CODES_BY_NAME: Record<string, CliErrorCode> = {
  JobArgumentError: "bad_argument",
  ReportArgumentError: "bad_argument",
  JobExistsError: "duplicate",
  JobNotFoundError: "not_found",
  UnknownJobError: "unknown_job",
  JobStateError: "bad_state",
  ConfigError: "config",
  CollectionRefError: "config",
  ServiceError: "unavailable",
  JobRunError: "failed",
};

/** The stable code of any error a command may end with. */
export function errorCode(error: unknown): CliErrorCode {
  if (error instanceof CliError) return error.code;
  if (error instanceof Error) return CODES_BY_NAME[error.name] ?? "error";
  return "error";
}

/** Exit status of an error: 2 for usage errors, 130 for an interrupt, else 1. */
export function exitStatus(error: unknown): number {
  const code = errorCode(error);
  if (code === "usage") return 2;
  if (code === "interrupted") return 130;
  return 1;
}
