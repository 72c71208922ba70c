/**
 * The stable codes of the errors core4ts itself raises (framework and server), one per error class. A code is
 * plain upper snake case, `<AREA>_<WHAT>`, and never changes once released: scripts, logs and alerts may match
 * on it (docs/errors.md). A plugin's own errors use codes of their own, prefixed with the plugin's name
 * (`USAGE_REPORT_ARGUMENT`), which is why {@link Core4Error.code} is typed `string`.
 * @internal The list behind {@link Core4ErrorCode}; tests check every error class against it.
 */
export const CORE4_ERROR_CODES = [
  "COLLECTION_REF_INVALID",
  "CONFIG_INVALID",
  "HTTP_ERROR",
  "JOB_ARGUMENT_INVALID",
  "JOB_DEFERRED",
  "JOB_DEFINITION_INVALID",
  "JOB_EXISTS",
  "JOB_KILLED",
  "JOB_NOT_FOUND",
  "JOB_RUN_FAILED",
  "JOB_SOURCE_NOT_SET",
  "JOB_STATE_CONFLICT",
  "JOB_UNKNOWN",
  "JOB_WALL_TIME_EXCEEDED",
  "SERVICE_UNAVAILABLE",
  "WORKER_SHUTDOWN",
] as const;

/** A stable code of an error core4ts raises (see docs/errors.md for what each means). */
export type Core4ErrorCode = (typeof CORE4_ERROR_CODES)[number];

/**
 * What kind of failure an error is, independent of transport (the names follow gRPC's status codes). The
 * server turns a kind into an HTTP status in one place (400, 401, 403, 404, 409, 409, 503, 500 in this order),
 * and the CLI into its `--json` code; a plugin's error picks its kind and gets the matching reply.
 */
export type Core4ErrorKind =
  | "invalid_argument"
  | "unauthenticated"
  | "permission_denied"
  | "not_found"
  | "already_exists"
  | "failed_precondition"
  | "unavailable"
  | "internal";

/** Marks core4ts errors across copies of the package (a plugin may bring its own copy of core4ts). */
const BRAND = Symbol.for("core4ts.error");

/**
 * The base of every error core4ts and its plugins raise. Its message is one line a person can act on; `code`
 * is stable for programs; `kind` decides the HTTP status and the CLI's error code; `cause` (ES2022) keeps
 * the error underneath.
 *
 * ```ts
 * class ReportArgumentError extends Core4Error {
 *   override readonly name = "ReportArgumentError";
 *   readonly code = "USAGE_REPORT_ARGUMENT";
 *   override readonly kind = "invalid_argument"; // the server answers 400 with the message
 * }
 * ```
 */
export abstract class Core4Error extends Error {
  override readonly name: string = "Core4Error";
  /** Stable code of the error class ({@link Core4ErrorCode} for core4ts' own). */
  abstract readonly code: string;
  /** What kind of failure this is; `internal` (HTTP 500, message not shown to clients) unless a class says otherwise. */
  readonly kind: Core4ErrorKind = "internal";

  /** Always true; read through {@link Core4Error.is}, which works across copies of the package. */
  get [BRAND](): true {
    return true;
  }

  /**
   * Whether `value` is a core4ts error, also one made by another copy of core4ts (where `instanceof` fails).
   */
  static is(value: unknown): value is Core4Error {
    return (
      value instanceof Error &&
      (value as unknown as Record<symbol, unknown>)[BRAND] === true &&
      typeof (value as { code?: unknown }).code === "string"
    );
  }
}
