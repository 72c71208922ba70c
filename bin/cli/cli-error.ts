import { Core4Error, type Core4ErrorCode, type Core4ErrorKind } from "core4ts";

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

/**
 * An error the CLI prints as one line and exits 1 on (or 2 for a usage error). Not a `Core4Error`: its `code`
 * is the CLI's own lower-case `--json` vocabulary above, a contract of its own (docs/contracts.md "CLI").
 */
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

/** CLI codes of core4ts errors that say more than their kind. */
const CLI_CODE_BY_CODE: Partial<Record<Core4ErrorCode, CliErrorCode>> = {
  JOB_EXISTS: "duplicate",
  JOB_UNKNOWN: "unknown_job",
  JOB_RUN_FAILED: "failed",
  CONFIG_INVALID: "config",
  COLLECTION_REF_INVALID: "config",
};

/** CLI codes of the other core4ts errors, plugins' own included, by kind. */
const CLI_CODE_BY_KIND: Record<Core4ErrorKind, CliErrorCode> = {
  invalid_argument: "bad_argument",
  unauthenticated: "error",
  permission_denied: "error",
  not_found: "not_found",
  already_exists: "duplicate",
  failed_precondition: "bad_state",
  unavailable: "unavailable",
  internal: "error",
};

/**
 * The stable code of any error a command may end with: the one place where core4ts error codes become CLI
 * codes. `Core4Error.is` rather than `instanceof`: a plugin's errors may come from another copy of core4ts.
 */
export function errorCode(error: unknown): CliErrorCode {
  if (error instanceof CliError) return error.code;
  if (!Core4Error.is(error)) return "error";
  return CLI_CODE_BY_CODE[error.code as Core4ErrorCode] ?? CLI_CODE_BY_KIND[error.kind] ?? "error";
}

/** Exit status of an error: 2 for usage errors, 130 for an interrupt, else 1. */
export function exitStatus(error: unknown): number {
  const code = errorCode(error);
  if (code === "usage") return 2;
  if (code === "interrupted") return 130;
  return 1;
}
